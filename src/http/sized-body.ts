// A response body of a known length. workerd sends a stream body chunked
// unless it comes from a FixedLengthStream, which also fails the response if
// the DO were to deliver a different length; bytes already have theirs.
export function sizedBody(
  body: ReadableStream<Uint8Array> | Uint8Array | null,
  length: number,
): ReadableStream<Uint8Array> | Uint8Array | null {
  if (body instanceof ReadableStream) return body.pipeThrough(new FixedLengthStream(length));
  return body;
}
