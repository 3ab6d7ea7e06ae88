// Byte streams for tests: bodies cut into chosen chunks, optionally failing midway.
export function streamOf(chunks: Uint8Array[], failAfter?: number): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && index === failAfter) {
        controller.error(new Error("client went away"));
        return;
      }
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk.slice());
    },
  });
}

export async function drain(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function patterned(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 16)) & 255;
  return bytes;
}

export function cutAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < data.length))].toSorted((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    parts.push(data.subarray(start, point));
    start = point;
  }
  return parts;
}

/** The production helpers, under the names the tests use. */
export { bytesEqual as equalBytes } from "../../src/bytes.js";
export { concatBytes as concat } from "@noble/hashes/utils.js";
