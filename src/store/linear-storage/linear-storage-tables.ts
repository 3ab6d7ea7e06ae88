// Linear storage in the DO (README "Linear storage"): a sparse byte space kept as
// 64 KiB frames; a frame that was never written (or is all zero) has no row.
import { chunkStream } from "../../bytes.js";
import type { FrameWrite } from "../../protocol/storage-port.js";
import { FRAMES_PER_SELECT } from "../../limits.js";
import { frameSpans } from "../../protocol/frame-span.js";
import { blobOf, intOf, type SqlPort } from "../sql/sql-port.js";
import { StagedStorage } from "./staged-storage.js";

export interface StorageStats {
  size: number;
  framesStored: number;
  bytesStored: number;
}

export class LinearStorageTables {
  readonly #sql: SqlPort;
  #staged: StagedStorage | undefined;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec("CREATE TABLE IF NOT EXISTS storage_frames (idx INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    sql.exec(
      "CREATE TABLE IF NOT EXISTS storage_meta (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), size INTEGER NOT NULL)",
    );
  }

  /** What transactions have staged here (its table is made on first use: most instances never take part). */
  get staged(): StagedStorage {
    this.#staged ??= new StagedStorage(this.#sql, this);
    return this.#staged;
  }

  size(): number {
    const [row] = this.#sql.exec("SELECT size FROM storage_meta");
    return row ? intOf(row.size) : 0;
  }

  /** The frames at `indices`, in that order, null where none is stored. */
  frames(indices: readonly number[]): Array<Uint8Array<ArrayBuffer> | null> {
    const wanted = [...new Set(indices)];
    const found = new Map<number, Uint8Array<ArrayBuffer>>();
    for (let from = 0; from < wanted.length; from += FRAMES_PER_SELECT) {
      const chunk = wanted.slice(from, from + FRAMES_PER_SELECT);
      const rows = this.#sql.exec(
        `SELECT idx, data FROM storage_frames WHERE idx IN (${chunk.map(() => "?").join(", ")})`,
        ...chunk,
      );
      for (const row of rows) found.set(intOf(row.idx), blobOf(row.data));
    }
    // An index asked for twice gets its own copy: callers may change what they are handed.
    const handed = new Set<number>();
    return indices.map((index) => {
      const frame = found.get(index);
      if (!frame) return null;
      if (handed.has(index)) return frame.slice();
      handed.add(index);
      return frame;
    });
  }

  /** Applies a call's changes; call inside the transaction that commits the call. Returns bytes written. */
  apply(writes: readonly FrameWrite[], size: number): number {
    let written = 0;
    for (const { index, bytes } of writes) {
      if (bytes === null) {
        this.#sql.exec("DELETE FROM storage_frames WHERE idx = ?", index);
      } else {
        this.#sql.exec("INSERT OR REPLACE INTO storage_frames (idx, data) VALUES (?, ?)", index, bytes);
        written += bytes.length;
      }
    }
    if (size !== this.size()) {
      this.#sql.exec("INSERT OR REPLACE INTO storage_meta (singleton, size) VALUES (1, ?)", size);
      written += 8;
    }
    return written;
  }

  stats(): StorageStats {
    const [row] = this.#sql.exec(
      "SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(data)), 0) AS bytes FROM storage_frames",
    );
    return { size: this.size(), framesStored: intOf(row?.n), bytesStored: intOf(row?.bytes) };
  }

  /** [offset, offset + length) as a byte stream, read a frame per pull. */
  stream(offset: number, length: number): ReadableStream<Uint8Array> {
    return chunkStream(this.range(offset, length));
  }

  /** [offset, offset + length) with holes zero-filled, one frame at a time. */
  *range(offset: number, length: number): Generator<Uint8Array<ArrayBuffer>> {
    for (const { index, start, end } of frameSpans(offset, length)) {
      const frame = this.frames([index])[0] ?? null;
      yield frame ? frame.slice(start, end) : new Uint8Array(end - start);
    }
  }
}
