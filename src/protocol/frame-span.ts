// Where a byte range falls in FRAME_BYTES frames. State, linear storage and
// leases all keep their bytes as frames, on both sides of the sandbox, so the
// arithmetic lives here once.
import { FRAME_BYTES } from "../limits.js";

/** One frame's share of a byte range. */
export interface FrameSpan {
  /** The frame's number: it holds bytes [index * FRAME_BYTES, (index + 1) * FRAME_BYTES). */
  index: number;
  /** The covered part of the frame, [start, end), in frame coordinates. */
  start: number;
  end: number;
  /** Where that part lies in the range: its offset from the range's first byte. */
  at: number;
}

/** The frames [first, end) that [offset, offset + length) touches; empty (first === end) when length is 0. */
export function frameRange(offset: number, length: number): { first: number; end: number } {
  const first = Math.floor(offset / FRAME_BYTES);
  if (length <= 0) return { first, end: first };
  return { first, end: Math.floor((offset + length - 1) / FRAME_BYTES) + 1 };
}

/** The part of frame `index` that [offset, offset + length) covers (index within frameRange). */
export function frameSpan(index: number, offset: number, length: number): FrameSpan {
  const base = index * FRAME_BYTES;
  const start = Math.max(0, offset - base);
  const end = Math.min(FRAME_BYTES, offset + length - base);
  return { index, start, end, at: base + start - offset };
}

/** [offset, offset + length) cut at frame boundaries, in order; nothing for length 0. */
export function* frameSpans(offset: number, length: number): Generator<FrameSpan, void, undefined> {
  const { first, end } = frameRange(offset, length);
  for (let index = first; index < end; index++) yield frameSpan(index, offset, length);
}
