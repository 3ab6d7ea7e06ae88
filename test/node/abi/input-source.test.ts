import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bytesInput,
  pagedInput,
  prefetched,
  pump,
  type InputSource,
} from "../../../src/guest-abi/input-source.js";
import { EdgeError } from "../../../src/errors.js";
import { patterned } from "../../support/bytes.js";

async function drainAll(source: InputSource, max: number): Promise<Uint8Array> {
  const out = new Uint8Array(source.length);
  let at = 0;
  for (;;) {
    const chunk = await source.next(max);
    if (chunk.length === 0) return out.subarray(0, at);
    out.set(chunk, at);
    at += chunk.length;
  }
}

// PageReader variants, the same contract: sync (in-DO) and async (over RPC).
const readers = {
  sync: (data: Uint8Array) => ({
    read: (offset: number, length: number) => data.slice(offset, offset + length),
  }),
  async: (data: Uint8Array) => ({
    read: async (offset: number, length: number) => data.slice(offset, offset + length),
  }),
};

describe.each(Object.entries(readers))("pagedInput over a %s page reader", (_name, makeReader) => {
  it("delivers every byte once, in order, for any window and request size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 5000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 900 }),
        async (size, window, max) => {
          const data = patterned(size, window);
          expect(await drainAll(pagedInput(size, makeReader(data), window), max)).toEqual(data);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("reports a source that ends early instead of truncating", async () => {
    const data = patterned(100);
    const short = {
      read: (offset: number, length: number) => data.slice(offset, Math.min(offset + length, 60)),
    };
    const source = pagedInput(100, short, 50);
    await expect(drainAll(source, 1000)).rejects.toThrow(EdgeError);
  });

  it("pump hands out exactly n bytes", async () => {
    const data = patterned(1000);
    const seen: number[] = [];
    const n = await pump(pagedInput(1000, makeReader(data), 64), 300, (chunk, offset) =>
      seen.push(offset, chunk.length),
    );
    expect(n).toBe(300);
    expect(seen.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0)).toBe(300);
  });
});

describe("prefetched", () => {
  it("drains a paged source into memory once (the no-JSPI fallback)", async () => {
    const data = patterned(3000);
    let reads = 0;
    const reader = {
      read: async (offset: number, length: number) => (reads++, data.slice(offset, offset + length)),
    };
    const source = await prefetched(pagedInput(3000, reader, 1024));
    expect(reads).toBe(3);
    expect(source.next(5000)).toEqual(data);
  });

  it("bytesInput is synchronous", () => {
    const source = bytesInput(patterned(10));
    expect(source.next(4)).toBeInstanceOf(Uint8Array);
  });
});
