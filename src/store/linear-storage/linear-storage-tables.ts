// Linear storage in the DO (SPEC section 6): a sparse byte space kept as
// 64 KiB frames; a frame that was never written (or is all zero) has no row.
import { STORAGE_FRAME_BYTES, type FrameWrite } from "../../guest-abi/edge-storage/frame-table.js";
import { blobOf, intOf, type SqlPort } from "../sql/sql-port.js";

export interface StorageStats {
  size: number;
  framesStored: number;
  bytesStored: number;
}

export class LinearStorageTables {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec("CREATE TABLE IF NOT EXISTS storage_frames (idx INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    sql.exec(
      "CREATE TABLE IF NOT EXISTS storage_meta (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), size INTEGER NOT NULL)",
    );
  }

  size(): number {
    const [row] = this.#sql.exec("SELECT size FROM storage_meta");
    return row ? intOf(row.size) : 0;
  }

  /** The frames at `indices`, null where none is stored. */
  frames(indices: readonly number[]): Array<Uint8Array | null> {
    return indices.map((index) => {
      const [row] = this.#sql.exec("SELECT data FROM storage_frames WHERE idx = ?", index);
      return row ? blobOf(row.data) : null;
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
    const frames = this.range(offset, length);
    return new ReadableStream({
      type: "bytes",
      pull(controller: ReadableByteStreamController) {
        const next = frames.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    });
  }

  /** [offset, offset + length) with holes zero-filled, one frame at a time. */
  *range(offset: number, length: number): Generator<Uint8Array> {
    let at = offset;
    const end = offset + length;
    while (at < end) {
      const index = Math.floor(at / STORAGE_FRAME_BYTES);
      const start = at - index * STORAGE_FRAME_BYTES;
      const stop = Math.min(STORAGE_FRAME_BYTES, start + (end - at));
      const frame = this.frames([index])[0] ?? null;
      yield frame ? frame.slice(start, stop) : new Uint8Array(stop - start);
      at += stop - start;
    }
  }
}
