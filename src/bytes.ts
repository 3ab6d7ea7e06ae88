// Byte helpers every side uses (concatenation comes from @noble/hashes' utils).

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A byte stream that pulls one chunk at a time, so nothing is read ahead of its reader. */
export function chunkStream(chunks: Iterator<Uint8Array<ArrayBuffer>>): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
}
