// A result's bytes as the sandbox hands them on (sandbox-call.ts ReplyBody):
// whole for a small result, a stream for a large one. Readers take either.
import type { ReplyBody } from "./sandbox-call.js";

/** All of it (callers bound the size first: a streamed body can be large). */
export async function bytesOfBody(body: ReplyBody): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** Lets go of a body nobody will read (a stream's producer stops). */
export async function discardBody(body: ReplyBody): Promise<void> {
  if (body instanceof ReadableStream) await body.cancel().catch(() => {});
}
