import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FRAME_BYTES } from "../../src/limits.js";
import { frameRange, frameSpan, frameSpans } from "../../src/protocol/frame-span.js";

const ranges = fc.tuple(fc.nat({ max: 6 * FRAME_BYTES }), fc.nat({ max: 4 * FRAME_BYTES }));

describe("frame spans", () => {
  it("tile a range in order, each inside one frame, and name the frames frameRange names", () => {
    fc.assert(
      fc.property(ranges, ([offset, length]) => {
        const spans = [...frameSpans(offset, length)];
        let at = 0;
        for (const span of spans) {
          expect(span.at).toBe(at);
          expect(span.index * FRAME_BYTES + span.start).toBe(offset + at);
          expect(0 <= span.start && span.start < span.end && span.end <= FRAME_BYTES).toBe(true);
          expect(frameSpan(span.index, offset, length)).toEqual(span);
          at += span.end - span.start;
        }
        expect(at).toBe(length);
        const { first, end } = frameRange(offset, length);
        expect(spans.map((span) => span.index)).toEqual(
          Array.from({ length: end - first }, (_, i) => first + i),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("cut at the boundaries, and give nothing for an empty range", () => {
    expect([...frameSpans(FRAME_BYTES - 2, 4)]).toEqual([
      { index: 0, start: FRAME_BYTES - 2, end: FRAME_BYTES, at: 0 },
      { index: 1, start: 0, end: 2, at: 2 },
    ]);
    expect([...frameSpans(FRAME_BYTES, FRAME_BYTES)]).toEqual([
      { index: 1, start: 0, end: FRAME_BYTES, at: 0 },
    ]);
    expect([...frameSpans(5, 0)]).toEqual([]);
    expect(frameRange(FRAME_BYTES + 5, 0)).toEqual({ first: 1, end: 1 });
    expect(frameRange(0, 2 * FRAME_BYTES + 1)).toEqual({ first: 0, end: 3 });
  });
});
