// A subscriber's side of pub-sub: its inbox, entries in arrival order, at
// most INBOX_CAPACITY per publisher, duplicates dropped by sequence number.
import { INBOX_CAPACITY } from "../../limits.js";
import type { SqlPort, SqlRow } from "../sql/sql-port.js";

export interface InboxRow {
  publisher: string;
  seq: number;
  /** null: a gap entry. */
  block: number | null;
  size: number;
  missed: number;
}

export class InboxTables {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS shm_inbox (
      ord INTEGER PRIMARY KEY AUTOINCREMENT,
      publisher TEXT NOT NULL,
      seq INTEGER NOT NULL,
      block INTEGER,
      size INTEGER NOT NULL,
      missed INTEGER NOT NULL DEFAULT 0,
      UNIQUE (publisher, seq))`);
    // The highest sequence number each publisher's deliveries reached: anything at or below is a duplicate.
    sql.exec(`CREATE TABLE IF NOT EXISTS shm_inbox_sources (
      publisher TEXT PRIMARY KEY,
      last_seq INTEGER NOT NULL)`);
  }

  lastSeq(publisher: string): number {
    const [row] = this.#sql.exec("SELECT last_seq FROM shm_inbox_sources WHERE publisher = ?", publisher);
    return Number(row?.last_seq ?? 0);
  }

  depth(publisher?: string): number {
    const [row] =
      publisher === undefined
        ? this.#sql.exec("SELECT COUNT(*) AS n FROM shm_inbox")
        : this.#sql.exec("SELECT COUNT(*) AS n FROM shm_inbox WHERE publisher = ?", publisher);
    return Number(row?.n ?? 0);
  }

  hasRoom(publisher: string): boolean {
    return this.depth(publisher) < INBOX_CAPACITY;
  }

  add(row: InboxRow): void {
    this.#sql.exec(
      "INSERT INTO shm_inbox (publisher, seq, block, size, missed) VALUES (?, ?, ?, ?, ?)",
      row.publisher,
      row.seq,
      row.block,
      row.size,
      row.missed,
    );
    this.#sql.exec(
      `INSERT INTO shm_inbox_sources (publisher, last_seq) VALUES (?, ?)
       ON CONFLICT (publisher) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)`,
      row.publisher,
      row.seq + Math.max(row.missed - 1, 0),
    );
  }

  entries(limit: number, publisher?: string): InboxRow[] {
    const rows =
      publisher === undefined
        ? this.#sql.exec(
            "SELECT publisher, seq, block, size, missed FROM shm_inbox ORDER BY ord LIMIT ?",
            limit,
          )
        : this.#sql.exec(
            "SELECT publisher, seq, block, size, missed FROM shm_inbox WHERE publisher = ? ORDER BY ord LIMIT ?",
            publisher,
            limit,
          );
    return rows.map(rowOf);
  }

  entry(publisher: string, seq: number): InboxRow | null {
    const [row] = this.#sql.exec(
      "SELECT publisher, seq, block, size, missed FROM shm_inbox WHERE publisher = ? AND seq = ?",
      publisher,
      seq,
    );
    return row ? rowOf(row) : null;
  }

  /** Removes a consumed entry; returns its block (null: a gap, or already gone). */
  remove(publisher: string, seq: number): number | null {
    const [row] = this.#sql.exec(
      "DELETE FROM shm_inbox WHERE publisher = ? AND seq = ? RETURNING block",
      publisher,
      seq,
    );
    return row?.block === null || row?.block === undefined ? null : Number(row.block);
  }
}

function rowOf(row: SqlRow): InboxRow {
  return {
    publisher: String(row.publisher),
    seq: Number(row.seq),
    block: row.block === null ? null : Number(row.block),
    size: Number(row.size),
    missed: Number(row.missed),
  };
}
