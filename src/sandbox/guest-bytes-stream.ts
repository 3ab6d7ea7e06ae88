// A reply's payload leaves the sandbox as one copy when it is small, else as
// a stream of 64 KiB copies, so RPC never carries one huge buffer.
import { chunkStream } from "../bytes.js";
import { INLINE_CALL_BYTES, REPLY_CHUNK_BYTES } from "../limits.js";
import type { ReplyBody } from "../protocol/sandbox-call.js";

/** A view of guest memory as a reply body: a small one copied inline, a large one streamed. */
export function replyBody(view: Uint8Array): ReplyBody {
  return view.length <= INLINE_CALL_BYTES ? view.slice() : streamOf(view);
}

/** Streams a view of guest memory (valid: the guest never runs again) in 64 KiB copies. */
export function streamOf(view: Uint8Array): ReadableStream<Uint8Array> {
  return chunkStream(copies(view));
}

function* copies(view: Uint8Array): Generator<Uint8Array<ArrayBuffer>> {
  for (let at = 0; at < view.length; at += REPLY_CHUNK_BYTES) yield view.slice(at, at + REPLY_CHUNK_BYTES);
}
