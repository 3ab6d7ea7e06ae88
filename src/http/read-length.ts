// How much one inspection read (linear storage, lease bytes) returns: what the
// client asked for, refused past MAX_READ_BYTES_PER_REQUEST, or by default the
// rest of the space capped at one such page (the client pages on with `offset`).
import { EdgeError } from "../errors.js";
import { MAX_READ_BYTES_PER_REQUEST } from "../limits.js";

export function nonNegativeInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new EdgeError("BAD_REQUEST", `${name} must be a non-negative integer`, {
      details: { [name]: raw.slice(0, 40) },
    });
  }
  return Number(raw);
}

export function readLength(raw: string | undefined, rest: number): number {
  if (raw === undefined) return Math.min(rest, MAX_READ_BYTES_PER_REQUEST);
  const length = nonNegativeInteger("length", raw, 0);
  if (length > MAX_READ_BYTES_PER_REQUEST) {
    throw new EdgeError(
      "READ_TOO_LARGE",
      `one read returns at most ${MAX_READ_BYTES_PER_REQUEST} bytes; page through larger ranges with offset`,
      { details: { limit: MAX_READ_BYTES_PER_REQUEST, length } },
    );
  }
  return length;
}
