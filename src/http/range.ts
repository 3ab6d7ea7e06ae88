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

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

export function parseRange(header: string | null | undefined): RangeRequest | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (text.includes(",")) return undefined;
  const match = SINGLE_RANGE.exec(text);
  if (!match) {
    throw new EdgeError("INVALID_RANGE", "Range must be bytes=start-end, bytes=start- or bytes=-suffix", {
      details: { range: header },
    });
  }
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") {
    throw new EdgeError("INVALID_RANGE", "Range has neither start nor end", { details: { range: header } });
  }
  if (first === "") return { kind: "suffix", length: Number(last) };
  const start = Number(first);
  if (last === "") return { kind: "from", start };
  const end = Number(last);
  if (end < start) {
    throw new EdgeError("INVALID_RANGE", "Range end precedes its start", { details: { range: header } });
  }
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
