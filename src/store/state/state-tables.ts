// SQL tables behind contract state: blobs of 64 KiB frames, and one row per
// committed version. A blob is `staged` while an upload writes it, `current`
// once its version is the head, `retired` when a newer version replaced it and
// only open readers still need its frames.
import { blobOf, intOf, type SqlPort } from "../sql/sql-port.js";

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
     created_at INTEGER NOT NULL)`,
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

export class StateTables {
  readonly #sql: SqlPort;
  /**
   * The head as last read or committed (undefined: read it again). Only `promote` writes versions, so
   * it stays exact; a statement costs ~0.1 ms of the thread here and an update asked for the head four times.
   */
  #head: StateVersion | null | undefined;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    for (const statement of SCHEMA) sql.exec(statement);
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
  newBlob(now: number, status: "staged" | "current" = "staged"): number {
    const [row] = this.#sql.exec(
      "INSERT INTO state_blobs (status, created_at) VALUES (?, ?) RETURNING blob_id",
      status,
      now,
    );
    return intOf(row?.blob_id);
  }

  putFrame(blobId: number, index: number, data: Uint8Array): void {
    this.#sql.exec("INSERT INTO state_frames (blob_id, idx, data) VALUES (?, ?, ?)", blobId, index, data);
  }

  /** Writes consecutive frames from `first` in one transaction: one commit per batch, not per frame. */
  putFrames(blobId: number, first: number, frames: readonly Uint8Array[]): void {
    if (frames.length === 0) return;
    this.#sql.transaction(() => {
      for (const [offset, frame] of frames.entries()) this.putFrame(blobId, first + offset, frame);
    });
  }

  /** Frames [from, to) of a blob, in order. */
  frames(blobId: number, from: number, to: number): Uint8Array<ArrayBuffer>[] {
    return this.#sql
      .exec(
        "SELECT data FROM state_frames WHERE blob_id = ? AND idx >= ? AND idx < ? ORDER BY idx",
        blobId,
        from,
        to,
      )
      .map((row) => blobOf(row.data));
  }

  dropBlob(blobId: number): void {
    this.#sql.exec("DELETE FROM state_frames WHERE blob_id = ?", blobId);
    this.#sql.exec("DELETE FROM state_blobs WHERE blob_id = ?", blobId);
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
   * Makes a blob the head (call inside `transaction`; `fresh`: it was made `current` there). Returns
   * the blob of the version it replaced, still `current`: the caller drops it or calls `retire`.
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
