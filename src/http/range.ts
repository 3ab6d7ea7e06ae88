// Single byte ranges (RFC 9110 section 14). Multiple ranges are ignored and the
// whole representation is served, which the RFC permits.
import { EdgeError } from "../errors.js";

export type RangeRequest =
  | { kind: "from"; start: number; end?: number } // bytes=start-[end], end inclusive
  | { kind: "suffix"; length: number }; // bytes=-length

export interface ByteRange {
  start: number;
  /** Exclusive. */
  end: number;
}

// RFC 9110 section 14.1: the unit is case-insensitive; whitespace may surround the range.
const SINGLE_RANGE = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/i;

/**
 * A single byte range, or undefined to serve the whole representation: RFC 9110
 * lets a server ignore a Range it does not understand (another unit, several
 * ranges, or a malformed or reversed range), so those are served in full (200),
 * never refused. A range that parses but selects nothing is 416 (resolveRange).
 */
export function parseRange(header: string | null | undefined): RangeRequest | undefined {
  if (header === null || header === undefined) return undefined;
  const match = SINGLE_RANGE.exec(header.trim());
  if (!match) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return undefined;
  if (first.length > 15 || last.length > 15) return undefined;
  if (first === "") return { kind: "suffix", length: Number(last) };
  const start = Number(first);
  if (last === "") return { kind: "from", start };
  const end = Number(last);
  if (end < start) return undefined;
  return { kind: "from", start, end };
}

/** Resolves a request against the representation size; throws RANGE_NOT_SATISFIABLE. */
export function resolveRange(request: RangeRequest, size: number): ByteRange {
  if (request.kind === "suffix") {
    if (request.length === 0 || size === 0) {
      throw new EdgeError("RANGE_NOT_SATISFIABLE", "suffix range selects no bytes", { details: { size } });
    }
    return { start: Math.max(0, size - request.length), end: size };
  }
  if (request.start >= size) {
    throw new EdgeError("RANGE_NOT_SATISFIABLE", `range starts at or past the end (${size} bytes)`, {
      details: { size },
    });
  }
  const end = request.end === undefined ? size : Math.min(request.end + 1, size);
  return { start: request.start, end };
}
