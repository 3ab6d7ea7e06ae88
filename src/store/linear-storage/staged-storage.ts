// Linear storage a transaction has changed but not committed: every frame a
// call frame wrote back (before an outgoing call, or at its return) is a row
// under (txid, call path), newest last. Frames of the transaction read through
// these rows; a failed subtree's rows go; commit applies the newest of each
// frame with the committed tables in one SQLite transaction (the caller's).
import type { FrameWrite, StorageChanges, StorageRefresh } from "../../protocol/storage-port.js";
import { within, type CallPath } from "../../protocol/transaction.js";
import { FRAMES_PER_SELECT } from "../../limits.js";
import { blobOf, intOf, type SqlPort } from "../sql/sql-port.js";

/** The committed linear storage the staged rows lie over (LinearStorageTables). */
export interface CommittedStorage {
  size(): number;
  frames(indices: readonly number[]): Array<Uint8Array | null>;
  apply(writes: readonly FrameWrite[], size: number): number;
}

export class StagedStorage {
  readonly #sql: SqlPort;
  readonly #tables: CommittedStorage;
  /** Transactions with rows here: reads of any other skip the lookup. */
  #staged: Set<string> | undefined;

  constructor(sql: SqlPort, tables: CommittedStorage) {
    this.#sql = sql;
    this.#tables = tables;
    // idx NULL: a size row. data NULL: the frame is all zero again.
    sql.exec(`CREATE TABLE IF NOT EXISTS txn_storage (
      ord INTEGER PRIMARY KEY AUTOINCREMENT,
      txid TEXT NOT NULL,
      path TEXT NOT NULL,
      idx INTEGER,
      data BLOB,
      size INTEGER)`);
    sql.exec("CREATE INDEX IF NOT EXISTS txn_storage_frames ON txn_storage (txid, idx)");
  }

  #has(txid: string): boolean {
    this.#staged ??= new Set(
      this.#sql.exec("SELECT DISTINCT txid FROM txn_storage").map((row) => String(row.txid)),
    );
    return this.#staged.has(txid);
  }

  /** Stages a frame's changes; false when they change nothing (no row was written). */
  stage(txid: string, path: CallPath, changes: StorageChanges): boolean {
    const resized = changes.size !== this.size(txid);
    for (const { index, bytes } of changes.writes) {
      this.#sql.exec(
        "INSERT INTO txn_storage (txid, path, idx, data) VALUES (?, ?, ?, ?)",
        txid,
        path,
        index,
        bytes,
      );
    }
    if (resized)
      this.#sql.exec("INSERT INTO txn_storage (txid, path, size) VALUES (?, ?, ?)", txid, path, changes.size);
    if (!resized && changes.writes.length === 0) return false;
    this.#staged?.add(txid);
    return true;
  }

  /** The logical size as the transaction sees it. */
  size(txid: string): number {
    if (!this.#has(txid)) return this.#tables.size();
    const [row] = this.#sql.exec(
      "SELECT size FROM txn_storage WHERE txid = ? AND idx IS NULL ORDER BY ord DESC LIMIT 1",
      txid,
    );
    return row ? intOf(row.size) : this.#tables.size();
  }

  /** Frames as the transaction sees them: its newest staged row, else the committed frame. */
  frames(txid: string, indices: readonly number[]): Array<Uint8Array | null> {
    if (!this.#has(txid)) return this.#tables.frames(indices);
    const staged = this.#newest(txid, indices);
    const committed = this.#tables.frames(indices.filter((index) => !staged.has(index)));
    let next = 0;
    return indices.map((index) =>
      staged.has(index) ? (staged.get(index) ?? null) : (committed[next++] ?? null),
    );
  }

  /** The newest ord so far: what `changedSince` compares against. */
  mark(): number {
    const [row] = this.#sql.exec("SELECT COALESCE(MAX(ord), 0) AS ord FROM txn_storage");
    return intOf(row?.ord);
  }

  /** Frames staged after `mark` (by re-entrant frames) that survive, and the size now. */
  changedSince(txid: string, mark: number): StorageRefresh | undefined {
    const rows = this.#sql.exec(
      "SELECT DISTINCT idx FROM txn_storage WHERE txid = ? AND ord > ? AND idx IS NOT NULL ORDER BY idx",
      txid,
      mark,
    );
    const sized = this.#sql.exec(
      "SELECT 1 FROM txn_storage WHERE txid = ? AND ord > ? AND idx IS NULL LIMIT 1",
      txid,
      mark,
    );
    if (rows.length === 0 && sized.length === 0) return undefined;
    return { frames: rows.map((row) => intOf(row.idx)), size: this.size(txid) };
  }

  /** A failed subtree: its rows go, in this instance. */
  discard(txid: string, prefixes: readonly CallPath[]): void {
    if (prefixes.length === 0 || !this.#has(txid)) return;
    const rows = this.#sql.exec("SELECT DISTINCT path FROM txn_storage WHERE txid = ?", txid);
    for (const path of rows.map((row) => String(row.path))) {
      if (prefixes.some((prefix) => within(path, prefix)))
        this.#sql.exec("DELETE FROM txn_storage WHERE txid = ? AND path = ?", txid, path);
    }
  }

  /** Commit: the newest of each staged frame into the committed tables; returns bytes written. */
  apply(txid: string): number {
    if (!this.#has(txid)) return 0;
    const indices = this.#sql
      .exec("SELECT DISTINCT idx FROM txn_storage WHERE txid = ? AND idx IS NOT NULL", txid)
      .map((row) => intOf(row.idx));
    const size = this.size(txid);
    let written = 0;
    for (let from = 0; from < indices.length; from += FRAMES_PER_SELECT) {
      const chunk = indices.slice(from, from + FRAMES_PER_SELECT);
      const newest = this.#newest(txid, chunk);
      const writes: FrameWrite[] = chunk.map((index) => ({ index, bytes: newest.get(index) ?? null }));
      written += this.#tables.apply(writes, size);
    }
    if (indices.length === 0) written += this.#tables.apply([], size);
    this.drop(txid);
    return written;
  }

  drop(txid: string): void {
    this.#sql.exec("DELETE FROM txn_storage WHERE txid = ?", txid);
    this.#staged?.delete(txid);
  }

  #newest(txid: string, indices: readonly number[]): Map<number, Uint8Array | null> {
    const found = new Map<number, Uint8Array | null>();
    for (let from = 0; from < indices.length; from += FRAMES_PER_SELECT) {
      const chunk = indices.slice(from, from + FRAMES_PER_SELECT);
      const rows = this.#sql.exec(
        `SELECT idx, data FROM txn_storage WHERE ord IN (
          SELECT MAX(ord) FROM txn_storage WHERE txid = ? AND idx IN (${chunk.map(() => "?").join(", ")}) GROUP BY idx)`,
        txid,
        ...chunk,
      );
      for (const row of rows) found.set(intOf(row.idx), row.data === null ? null : blobOf(row.data));
    }
    return found;
  }
}
