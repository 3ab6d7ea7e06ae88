// Where a guest's input bytes come from. A source hands out the next bytes on
// demand: synchronously while it has them buffered, as a promise when it must
// fetch (the JSPI path suspends the guest on that promise).
import { EdgeError } from "../errors.js";
import type { StateReader } from "../protocol/sandbox-call.js";

export interface InputSource {
  readonly length: number;
  /** Up to `max` (> 0) next bytes; empty only when everything was read. */
  next(max: number): Uint8Array | Promise<Uint8Array>;
}

export function bytesInput(bytes: Uint8Array): InputSource {
  let at = 0;
  return {
    length: bytes.length,
    next(max) {
      const chunk = bytes.subarray(at, Math.min(bytes.length, at + max));
      at += chunk.length;
      return chunk;
    },
  };
}

/**
 * Pulls `length` bytes from `reader` in windows of `window` bytes, one round
 * trip per window; host memory stays at one window whatever the length.
 */
export function pagedInput(length: number, reader: StateReader, window: number): InputSource {
  let fetched = 0;
  let buffer: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  let at = 0;
  const take = (max: number) => {
    const chunk = buffer.subarray(at, Math.min(buffer.length, at + max));
    at += chunk.length;
    return chunk;
  };
  const refill = (page: Uint8Array, wanted: number) => {
    if (page.length !== wanted) {
      throw new EdgeError(
        "INTERNAL",
        `state source ended early: ${page.length} of ${wanted} bytes at ${fetched}`,
        {
          details: { offset: fetched, expected: length },
        },
      );
    }
    fetched += page.length;
    buffer = page;
    at = 0;
  };
  return {
    length,
    next(max) {
      if (at < buffer.length) return take(max);
      if (fetched >= length) return new Uint8Array(0);
      const wanted = Math.min(window, length - fetched);
      const page = reader.read(fetched, wanted);
      if (page instanceof Uint8Array) {
        refill(page, wanted);
        return take(max);
      }
      return page.then((bytes) => {
        refill(bytes, wanted);
        return take(max);
      });
    },
  };
}

/** Drains a source whole (the no-JSPI fallback: host memory grows with the data). */
export async function prefetched(source: InputSource): Promise<InputSource> {
  const all = new Uint8Array(source.length);
  let at = 0;
  while (at < all.length) {
    const chunk = await source.next(all.length - at);
    if (chunk.length === 0) break;
    all.set(chunk, at);
    at += chunk.length;
  }
  if (at !== all.length) {
    throw new EdgeError("INTERNAL", `state source ended early: ${at} of ${all.length} bytes`);
  }
  return bytesInput(all);
}

/**
 * Exactly `n` bytes (fewer only at the end), handed to `sink` piece by piece;
 * stays synchronous as long as the source does.
 */
export function pump(
  source: InputSource,
  n: number,
  sink: (chunk: Uint8Array, offset: number) => void,
): number | Promise<number> {
  let done = 0;
  for (;;) {
    if (done >= n) return done;
    const next = source.next(n - done);
    if (!(next instanceof Uint8Array)) {
      return next.then(async (chunk) => {
        let more: Uint8Array = chunk;
        for (;;) {
          if (more.length === 0) return done;
          sink(more, done);
          done += more.length;
          if (done >= n) return done;
          more = await source.next(n - done);
        }
      });
    }
    if (next.length === 0) return done;
    sink(next, done);
    done += next.length;
  }
}
