// Lease rows and their sparse 64 KiB frames in the instance's DO. A row
// outlives its frames: once reclaimed it is the tombstone that lets a query
// answer LeaseExpired or Revoked instead of NotFound.
import { blobOf, intOf, type SqlPort, type SqlRow } from "../sql/sql-port.js";

export type StoredStatus = "active" | "revoked";

export interface LeaseRow {
  id: Uint8Array;
  createdAt: number;
  expiresAt: number;
  status: StoredStatus;
  arenaSize: number;
  reclaimed: boolean;
}

const COLUMNS = "id, created_at, expires_at, status, arena_size, reclaimed";

function rowOf(row: SqlRow): LeaseRow {
  return {
    id: blobOf(row.id),
    createdAt: intOf(row.created_at),
    expiresAt: intOf(row.expires_at),
    status: row.status === "revoked" ? "revoked" : "active",
    arenaSize: intOf(row.arena_size),
    reclaimed: row.reclaimed === 1,
  };
}

export class LeaseTables {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS leases (
      id BLOB PRIMARY KEY,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
      arena_size INTEGER NOT NULL,
      reclaimed INTEGER NOT NULL DEFAULT 0)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS lease_frames (
      lease_id BLOB NOT NULL,
      idx INTEGER NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (lease_id, idx))`);
  }

  transaction<T>(fn: () => T): T {
    return this.#sql.transaction(fn);
  }

  insert(row: LeaseRow): void {
    this.#sql.exec(
      `INSERT INTO leases (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
      row.id,
      row.createdAt,
      row.expiresAt,
      row.status,
      row.arenaSize,
      row.reclaimed ? 1 : 0,
    );
  }

  get(id: Uint8Array): LeaseRow | null {
    const [row] = this.#sql.exec(`SELECT ${COLUMNS} FROM leases WHERE id = ?`, id);
    return row ? rowOf(row) : null;
  }

  all(): LeaseRow[] {
    return this.#sql.exec(`SELECT ${COLUMNS} FROM leases ORDER BY created_at, id`).map(rowOf);
  }

  setExpiry(id: Uint8Array, expiresAt: number): void {
    this.#sql.exec("UPDATE leases SET expires_at = ? WHERE id = ?", expiresAt, id);
  }

  revoke(id: Uint8Array): void {
    this.#sql.exec("UPDATE leases SET status = 'revoked' WHERE id = ?", id);
  }

  /** Arena bytes held by leases that still keep their frames. */
  heldBytes(): number {
    const [row] = this.#sql.exec("SELECT COALESCE(SUM(arena_size), 0) AS n FROM leases WHERE reclaimed = 0");
    return intOf(row?.n);
  }

  /** Leases whose frames may go: revoked, or expired at least `graceSecs` ago. */
  reclaimable(nowSecs: number, graceSecs: number): LeaseRow[] {
    return this.#sql
      .exec(
        `SELECT ${COLUMNS} FROM leases WHERE reclaimed = 0 AND (status = 'revoked' OR expires_at + ? <= ?)`,
        graceSecs,
        nowSecs,
      )
      .map(rowOf);
  }

  /** The earliest moment (unix seconds) a lease becomes reclaimable, if any. */
  nextReclaim(graceSecs: number): number | null {
    const [row] = this.#sql.exec(
      "SELECT MIN(CASE WHEN status = 'revoked' THEN 0 ELSE expires_at + ? END) AS at FROM leases WHERE reclaimed = 0",
      graceSecs,
    );
    return row?.at === null || row?.at === undefined ? null : intOf(row.at);
  }

  reclaim(id: Uint8Array): void {
    this.#sql.exec("DELETE FROM lease_frames WHERE lease_id = ?", id);
    this.#sql.exec("UPDATE leases SET reclaimed = 1 WHERE id = ?", id);
  }

  frame(id: Uint8Array, index: number): Uint8Array | null {
    const [row] = this.#sql.exec("SELECT data FROM lease_frames WHERE lease_id = ? AND idx = ?", id, index);
    return row ? blobOf(row.data) : null;
  }

  putFrame(id: Uint8Array, index: number, data: Uint8Array): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO lease_frames (lease_id, idx, data) VALUES (?, ?, ?)",
      id,
      index,
      data,
    );
  }
}
