// Lease bytes over HTTP: ranges stream out a frame at a time, and uploads
// stream in a frame at a time, each write durable as it lands.
import { EdgeError } from "../errors.js";
import { readFrames } from "../state/frame-reader.js";
import { LEASE_FRAME_BYTES, type LeaseStore } from "./lease-store.js";

export function leaseStream(
  leases: LeaseStore,
  id: Uint8Array,
  offset: number,
  length: number,
): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      if (at >= length) {
        controller.close();
        return;
      }
      const piece = Math.min(LEASE_FRAME_BYTES - ((offset + at) % LEASE_FRAME_BYTES), length - at);
      try {
        controller.enqueue(leases.read(id, offset + at, piece));
        at += piece;
      } catch (error) {
        controller.error(error);
      }
    },
  });
}

export async function writeLeaseBody(
  leases: LeaseStore,
  id: Uint8Array,
  offset: number,
  body: ReadableStream<Uint8Array> | null,
  expectedLength: number,
): Promise<{ written: number }> {
  // Refuse before reading a byte when the declared range cannot fit.
  leases.read(id, offset + expectedLength, 0);
  let written = 0;
  if (body) {
    for await (const frame of readFrames(body, LEASE_FRAME_BYTES)) {
      if (written + frame.length > expectedLength) break;
      leases.write(id, offset + written, frame);
      written += frame.length;
    }
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
