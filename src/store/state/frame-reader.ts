// Turns a request body into pieces of exactly `frameBytes` (the last one
// shorter): 1 MiB rows for state, 64 KiB frames for leases. Byte streams are
// read with a BYOB reader straight into the piece's own buffer (workerd's
// readAtLeast fills a whole one per call, nothing is concatenated); other
// streams fall back to re-cutting their chunks.
import { FrameChunker } from "./frame-chunker.js";

type FillingReader = ReadableStreamBYOBReader & {
  readAtLeast?: (min: number, view: Uint8Array<ArrayBuffer>) => Promise<ReadableStreamReadResult<Uint8Array>>;
};

export async function* readFrames(
  body: ReadableStream<Uint8Array>,
  frameBytes: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let byob: FillingReader;
  try {
    byob = body.getReader({ mode: "byob" }) as FillingReader;
  } catch {
    yield* rechunk(body, frameBytes);
    return;
  }
  try {
    for (;;) {
      const frame = await fillFrame(byob, frameBytes);
      if (frame.length > 0) yield frame;
      if (frame.length < frameBytes) return;
    }
  } finally {
    byob.releaseLock();
  }
}

async function fillFrame(reader: FillingReader, frameBytes: number): Promise<Uint8Array> {
  let buffer = new ArrayBuffer(frameBytes);
  let filled = 0;
  while (filled < frameBytes) {
    const view = new Uint8Array(buffer, filled, frameBytes - filled);
    const { done, value } = reader.readAtLeast
      ? await reader.readAtLeast(view.length, view)
      : await reader.read(view);
    if (value) {
      buffer = value.buffer as ArrayBuffer;
      filled += value.byteLength;
    }
    if (done) break;
  }
  return new Uint8Array(buffer, 0, filled);
}

async function* rechunk(body: ReadableStream<Uint8Array>, frameBytes: number): AsyncGenerator<Uint8Array> {
  const chunker = new FrameChunker(frameBytes);
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* chunker.push(value);
    }
    const tail = chunker.flush();
    if (tail) yield tail;
  } finally {
    reader.releaseLock();
  }
}
