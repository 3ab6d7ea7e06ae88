// SQL tables behind contract state: blobs of rows, and one row per committed
// version. A blob is `staged` while an upload writes it, `current` once its
// version is the head, `retired` when a newer version replaced it and only open
// readers still need its rows. `state_frames` keeps its name from when a row
// was one 64 KiB frame: a blob's row_bytes says how large its rows are
// (row-layout.ts), so blobs written before rows grew read as they always did.
import { EdgeError } from "../../errors.js";
import { blobOf, intOf, type SqlPort } from "../sql/sql-port.js";
import { LEGACY_ROW_BYTES } from "./row-layout.js";

export interface StateVersion {
  version: number;
  blobId: number;
  size: number;
  hash: Uint8Array;
  createdAt: number;
}

type BlobStatus = "staged" | "current" | "retired";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS state_blobs (
     blob_id INTEGER PRIMARY KEY AUTOINCREMENT,
     status TEXT NOT NULL CHECK (status IN ('staged', 'current', 'retired')),
     created_at INTEGER NOT NULL,
     row_bytes INTEGER NOT NULL DEFAULT ${LEGACY_ROW_BYTES})`,
  `CREATE TABLE IF NOT EXISTS state_frames (
     blob_id INTEGER NOT NULL,
     idx INTEGER NOT NULL,
     data BLOB NOT NULL,
     PRIMARY KEY (blob_id, idx))`,
  `CREATE TABLE IF NOT EXISTS state_versions (
     version INTEGER PRIMARY KEY,
     blob_id INTEGER NOT NULL,
     size INTEGER NOT NULL,
     hash BLOB NOT NULL,
     created_at INTEGER NOT NULL)`,
];

/** A state_blobs table made before row_bytes existed gets it, defaulting its old blobs to 64 KiB rows. */
function addRowBytes(sql: SqlPort): void {
  const [table] = sql.exec("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'state_blobs'");
  if (typeof table?.sql === "string" && !table.sql.includes("row_bytes")) {
    sql.exec(`ALTER TABLE state_blobs ADD COLUMN row_bytes INTEGER NOT NULL DEFAULT ${LEGACY_ROW_BYTES}`);
  }
}

export class StateTables {
  readonly #sql: SqlPort;
  /** Row size per blob id (fixed once the blob exists), so a page read does not ask SQL each time. */
  readonly #rowBytes = new Map<number, number>();
  /**
   * The head as last read or committed (undefined: read it again). Only `promote` writes versions, so
   * it stays exact; a statement costs ~0.1 ms of the thread here and an update asked for the head four times.
   */
  #head: StateVersion | null | undefined;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    for (const statement of SCHEMA) sql.exec(statement);
    addRowBytes(sql);
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.#sql.transaction(fn);
    } catch (error) {
      // Rolled back: a version `promote` cached inside it never happened.
      this.#head = undefined;
      throw error;
    }
  }

  /** A new blob, `staged` until promoted; `current` only inside the transaction that promotes it. */
  newBlob(now: number, rowBytes: number, status: "staged" | "current" = "staged"): number {
    const [row] = this.#sql.exec(
      "INSERT INTO state_blobs (status, created_at, row_bytes) VALUES (?, ?, ?) RETURNING blob_id",
      status,
      now,
      rowBytes,
    );
    const blobId = intOf(row?.blob_id);
    this.#rowBytes.set(blobId, rowBytes);
    return blobId;
  }

  /** The size of a blob's rows (every row but the last is full). */
  rowBytesOf(blobId: number): number {
    const known = this.#rowBytes.get(blobId);
    if (known !== undefined) return known;
    const [row] = this.#sql.exec("SELECT row_bytes FROM state_blobs WHERE blob_id = ?", blobId);
    const rowBytes = row ? intOf(row.row_bytes) : LEGACY_ROW_BYTES;
    if (row) this.#rowBytes.set(blobId, rowBytes);
    return rowBytes;
  }

  putRow(blobId: number, index: number, data: Uint8Array): void {
    this.#sql.exec("INSERT INTO state_frames (blob_id, idx, data) VALUES (?, ?, ?)", blobId, index, data);
  }

  /**
   * Makes a blob of at most one row hold `data` (an empty state has no row). Only for a blob no
   * reader holds, inside the transaction that promotes it.
   */
  rewriteSingleRow(blobId: number, data: Uint8Array): void {
    if (data.length === 0) this.#sql.exec("DELETE FROM state_frames WHERE blob_id = ?", blobId);
    else
      this.#sql.exec(
        "INSERT OR REPLACE INTO state_frames (blob_id, idx, data) VALUES (?, 0, ?)",
        blobId,
        data,
      );
  }

  /** Writes consecutive rows from `first` in one transaction: one commit per batch, not per row. */
  putRows(blobId: number, first: number, rows: readonly Uint8Array[]): void {
    if (rows.length === 0) return;
    this.#sql.transaction(() => {
      for (const [offset, row] of rows.entries()) this.putRow(blobId, first + offset, row);
    });
  }

  /** Rows [from, to) of a blob, in order, every one of them: a gap means the blob is broken. */
  rows(blobId: number, from: number, to: number): Uint8Array<ArrayBuffer>[] {
    const rows = this.#sql
      .exec(
        "SELECT data FROM state_frames WHERE blob_id = ? AND idx >= ? AND idx < ? ORDER BY idx",
        blobId,
        from,
        to,
      )
      .map((row) => blobOf(row.data));
    if (rows.length !== to - from) {
      throw new EdgeError("INTERNAL", `state blob ${blobId} is missing rows ${from}..${to - 1}`);
    }
    return rows;
  }

  dropBlob(blobId: number): void {
    this.#sql.exec("DELETE FROM state_frames WHERE blob_id = ?", blobId);
    this.#sql.exec("DELETE FROM state_blobs WHERE blob_id = ?", blobId);
    this.#rowBytes.delete(blobId);
  }

  blobsWithStatus(status: BlobStatus): number[] {
    return this.#sql
      .exec("SELECT blob_id FROM state_blobs WHERE status = ? ORDER BY blob_id", status)
      .map((row) => intOf(row.blob_id));
  }

  head(): StateVersion | null {
    if (this.#head === undefined) this.#head = this.#readHead();
    return this.#head;
  }

  #readHead(): StateVersion | null {
    const [row] = this.#sql.exec(
      "SELECT version, blob_id, size, hash, created_at FROM state_versions ORDER BY version DESC LIMIT 1",
    );
    if (!row) return null;
    return {
      version: intOf(row.version),
      blobId: intOf(row.blob_id),
      size: intOf(row.size),
      hash: blobOf(row.hash),
      createdAt: intOf(row.created_at),
    };
  }

  /**
   * Makes a blob the head (call inside `transaction`; `fresh`: it was made `current` there, or it is
   * the head's own blob rewritten in place). Returns the blob of the version it replaced, still
   * `current`: the caller drops it or calls `retire`.
   */
  promote(
    blobId: number,
    size: number,
    hash: Uint8Array,
    now: number,
    fresh = false,
  ): { version: StateVersion; replaced: { blobId: number; size: number } | null } {
    const previous = this.head();
    const version = (previous?.version ?? 0) + 1;
    this.#sql.exec(
      "INSERT INTO state_versions (version, blob_id, size, hash, created_at) VALUES (?, ?, ?, ?, ?)",
      version,
      blobId,
      size,
      hash,
      now,
    );
    if (!fresh) this.#sql.exec("UPDATE state_blobs SET status = 'current' WHERE blob_id = ?", blobId);
    this.#head = { version, blobId, size, hash, createdAt: now };
    const replaced =
      previous && previous.blobId !== blobId ? { blobId: previous.blobId, size: previous.size } : null;
    return { version: this.#head, replaced };
  }

  /** A replaced version's blob that readers still need (or the alarm will drop). */
  retire(blobId: number): void {
    this.#sql.exec("UPDATE state_blobs SET status = 'retired' WHERE blob_id = ?", blobId);
  }
}
