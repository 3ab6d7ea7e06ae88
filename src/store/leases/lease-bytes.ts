// Lease bytes over HTTP (a lease's arena, or the default arena where the id is
// null): ranges stream out a frame at a time, and uploads stream in a frame at
// a time, each write durable as it lands.
import { EdgeError } from "../../errors.js";
import { FRAME_BYTES, WRITE_BATCH_FRAMES } from "../../limits.js";
import { frameSpans } from "../../protocol/frame-span.js";
import { readFrames } from "../state/frame-reader.js";
import type { LeaseStore } from "./lease-store.js";

export function leaseStream(
  leases: LeaseStore,
  id: Uint8Array | null,
  offset: number,
  length: number,
): ReadableStream<Uint8Array> {
  const spans = frameSpans(offset, length);
  return new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      const next = spans.next();
      if (next.done) {
        controller.close();
        return;
      }
      const { start, end, at } = next.value;
      try {
        controller.enqueue(leases.read(id, offset + at, end - start));
      } catch (error) {
        controller.error(error);
      }
    },
  });
}

export async function writeLeaseBody(
  leases: LeaseStore,
  id: Uint8Array | null,
  offset: number,
  body: ReadableStream<Uint8Array> | null,
  expectedLength: number,
): Promise<{ written: number }> {
  // Refuse before reading a byte when the declared range cannot fit.
  leases.requireRange(id, offset, expectedLength);
  let written = 0;
  if (body) {
    // 16 frames per transaction, as state uploads do: commits, not bytes, are the cost.
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    const flush = () => {
      if (batchBytes === 0) return;
      const joined = new Uint8Array(batchBytes);
      let at = 0;
      for (const frame of batch) {
        joined.set(frame, at);
        at += frame.length;
      }
      leases.write(id, offset + written, joined);
      written += batchBytes;
      batch = [];
      batchBytes = 0;
    };
    for await (const frame of readFrames(body, FRAME_BYTES)) {
      if (written + batchBytes + frame.length > expectedLength) break;
      batch.push(frame);
      batchBytes += frame.length;
      if (batch.length === WRITE_BATCH_FRAMES) flush();
    }
    flush();
  }
  if (written !== expectedLength) {
    throw new EdgeError(
      "INCOMPLETE_BODY",
      `received ${written} of ${expectedLength} bytes; the first ${written} are written`,
      {
        details: { written, expected: expectedLength },
      },
    );
  }
  return { written };
}
