// Streams an upload into a staged blob: read straight into row-sized buffers
// (BYOB readAtLeast), each row hashed and bound to SQL as it arrives, a few
// rows per transaction, the size checked against the limit and the declared
// length as it grows. Nothing here keeps more than one batch of rows.
import type { StateDigest } from "../../hashing/state-digest.js";
import { EdgeError } from "../../errors.js";
import { ROW_BYTES, WRITE_BATCH_ROWS } from "../../limits.js";
import { readFrames } from "./frame-reader.js";
import { incomplete, stateTooLarge } from "./state-errors.js";
import type { StateTables } from "./state-tables.js";

export interface UploadLimits {
  /** Declared body length (Content-Length); a body that ends short or long is refused. */
  expectedLength: number | undefined;
  maxStateBytes: number;
}

/** Writes `body` into the rows of `blobId`; the caller drops the blob if this throws. */
export async function stageUpload(
  tables: StateTables,
  digest: StateDigest,
  blobId: number,
  body: ReadableStream<Uint8Array> | null,
  { expectedLength, maxStateBytes }: UploadLimits,
): Promise<{ blobId: number; size: number; hash: Uint8Array }> {
  let size = 0;
  let index = 0;
  let batch: Uint8Array[] = [];
  const flush = () => {
    const rows = batch;
    batch = [];
    tables.putRows(blobId, index, rows);
    index += rows.length;
  };
  if (body) {
    const rows = readFrames(body, pieceBytesFor(expectedLength));
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await rows.next();
        } catch (cause) {
          throw new EdgeError("INCOMPLETE_BODY", "the request body was aborted before it ended", {
            cause,
            details: { received: size },
          });
        }
        if (next.done) break;
        const row = next.value;
        size += row.length;
        if (size > maxStateBytes) throw stateTooLarge(maxStateBytes, size);
        if (expectedLength !== undefined && size > expectedLength) throw incomplete(size, expectedLength);
        digest.update(row);
        batch.push(row);
        if (batch.length === WRITE_BATCH_ROWS) flush();
      }
      flush();
    } catch (error) {
      await rows.return();
      await body.cancel().catch(() => {});
      throw error;
    }
  }
  if (expectedLength !== undefined && size !== expectedLength) throw incomplete(size, expectedLength);
  return { blobId, size, hash: await digest.digest() };
}

/**
 * A declared state smaller than a row is read into a buffer of its own size, so
 * a counter's 8-byte update does not allocate (and zero) a 1 MiB row. Every row
 * but the last is still full: a body longer than declared shows as a second
 * piece, and that is refused before it is written.
 */
function pieceBytesFor(expectedLength: number | undefined): number {
  if (expectedLength === undefined || expectedLength >= ROW_BYTES) return ROW_BYTES;
  return Math.max(1, expectedLength);
}
