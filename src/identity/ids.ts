// Identity (README "HTTP API"): code hash = BLAKE3(wasm), instance id =
// BLAKE3(code hash || parameters), both 32 bytes rendered in base58 (Bitcoin).
import { base58 } from "@scure/base";
import { EdgeError } from "../errors.js";
import type { HasherFactory } from "../hashing/blake3.js";

export const ID_BYTES = 32;
// 32 bytes in base58 take 32..44 characters (leading zero bytes become '1's).
const MAX_ID_CHARS = 44;

export function encodeId(bytes: Uint8Array): string {
  return base58.encode(bytes);
}

/** Parses a base58 id of exactly 32 bytes; anything else is INVALID_ID. */
export function parseId(text: string, what = "id"): Uint8Array {
  if (text.length === 0 || text.length > MAX_ID_CHARS) {
    throw new EdgeError("INVALID_ID", `${what} must be 32 bytes in base58`, {
      details: { [what]: text.slice(0, 64) },
    });
  }
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(text);
  } catch (cause) {
    throw new EdgeError("INVALID_ID", `${what} is not valid base58`, {
      cause,
      details: { [what]: text },
    });
  }
  if (bytes.length !== ID_BYTES) {
    throw new EdgeError("INVALID_ID", `${what} must decode to 32 bytes, got ${bytes.length}`, {
      details: { [what]: text },
    });
  }
  return bytes;
}

export function codeHashOf(newHasher: HasherFactory, wasm: Uint8Array): Uint8Array {
  return newHasher().update(wasm).digest();
}

export function instanceIdOf(
  newHasher: HasherFactory,
  codeHash: Uint8Array,
  parameters: Uint8Array,
): Uint8Array {
  return newHasher().update(codeHash).update(parameters).digest();
}
