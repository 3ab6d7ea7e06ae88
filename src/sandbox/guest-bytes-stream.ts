// A reply's payload leaves the sandbox as a stream of 64 KiB copies, so RPC
// never carries one huge buffer.
import { REPLY_CHUNK_BYTES } from "../limits.js";

/** Streams a view of guest memory (valid: the guest never runs again) in 64 KiB copies. */
export function streamOf(view: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      if (at >= view.length) {
        controller.close();
        return;
      }
      controller.enqueue(view.slice(at, at + REPLY_CHUNK_BYTES));
      at += REPLY_CHUNK_BYTES;
    },
  });
}
