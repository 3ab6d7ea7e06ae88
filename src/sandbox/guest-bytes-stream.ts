// A reply's payload leaves the sandbox as a stream of 64 KiB copies, so RPC
// never carries one huge buffer.
import { chunkStream } from "../bytes.js";
import { REPLY_CHUNK_BYTES } from "../limits.js";

/** Streams a view of guest memory (valid: the guest never runs again) in 64 KiB copies. */
export function streamOf(view: Uint8Array): ReadableStream<Uint8Array> {
  return chunkStream(copies(view));
}

function* copies(view: Uint8Array): Generator<Uint8Array<ArrayBuffer>> {
  for (let at = 0; at < view.length; at += REPLY_CHUNK_BYTES) yield view.slice(at, at + REPLY_CHUNK_BYTES);
}
