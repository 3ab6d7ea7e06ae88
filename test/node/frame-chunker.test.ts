import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameChunker } from "../../src/store/state/frame-chunker.js";
import { concat } from "../support/bytes.js";

function cut(chunks: Uint8Array[], frameBytes: number): Uint8Array[] {
  const chunker = new FrameChunker(frameBytes);
  const frames: Uint8Array[] = [];
  for (const chunk of chunks) for (const frame of chunker.push(chunk)) frames.push(frame.slice());
  const tail = chunker.flush();
  if (tail) frames.push(tail.slice());
  return frames;
}

describe("FrameChunker", () => {
  it("re-cuts any chunk sequence into full frames and one shorter tail, losing nothing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 97 }),
        (chunks, size) => {
          const frames = cut(chunks, size);
          const input = concat(...chunks);
          expect(concat(...frames)).toEqual(input);
          expect(frames.length).toBe(Math.ceil(input.length / size));
          expect(frames.slice(0, -1).every((frame) => frame.length === size)).toBe(true);
          expect(frames.every((frame) => frame.length > 0)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("keeps yielded frames intact while later chunks arrive", () => {
    const chunker = new FrameChunker(4);
    const first = [...chunker.push(Uint8Array.of(1, 2, 3))];
    const second = [...chunker.push(Uint8Array.of(4, 5, 6, 7, 8, 9))];
    const kept = second[0]!;
    expect([...chunker.push(Uint8Array.of(10, 11, 12))]).toHaveLength(1);
    expect(first).toEqual([]);
    expect(Array.from(kept)).toEqual([1, 2, 3, 4]);
    expect(Array.from(second[1]!)).toEqual([5, 6, 7, 8]);
  });

  it("emits nothing for empty input", () => {
    expect(cut([], 8)).toEqual([]);
    expect(cut([new Uint8Array(0)], 8)).toEqual([]);
  });

  it("rejects a non-positive frame size", () => {
    expect(() => new FrameChunker(0)).toThrow(RangeError);
  });
});
