// Streams for transfers with progress: bytes are counted as the consumer pulls
// them (fetch reads an upload only as fast as the socket drains), so progress
// reports what has left, not what was buffered.

/** Bytes as a stream of 1 MiB slices, so a large buffer uploads with progress too. */
export function sliced(bytes: Uint8Array, sliceBytes = 1 << 20): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const end = Math.min(at + sliceBytes, bytes.length);
      controller.enqueue(bytes.subarray(at, end));
      at = end;
    },
  });
}

/** `source` as a pull stream that calls `onProgress(counted, total)` after each chunk it hands on. */
export function counted(
  source: ReadableStream<Uint8Array>,
  total: number,
  onProgress?: (bytes: number, total: number) => void,
  start = 0,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let seen = start;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      seen += value.length;
      controller.enqueue(value);
      onProgress?.(seen, total);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** Reads a whole stream into one buffer. */
export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The same bytes typed as fetch bodies want them (a view of an ArrayBuffer, never a SharedArrayBuffer). */
export function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes);
}
