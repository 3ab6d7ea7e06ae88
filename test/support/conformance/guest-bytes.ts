// Little-endian reads and request building for the conformance suites' guests.
export const text = (s: string) => new TextEncoder().encode(s);
export const utf8 = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
export const i32At = (bytes: Uint8Array, at: number) => view(bytes).getInt32(at, true);
export const u32At = (bytes: Uint8Array, at: number) => view(bytes).getUint32(at, true);
export const u64At = (bytes: Uint8Array, at: number) => view(bytes).getBigUint64(at, true);
/** An i64 the guest wrote (a size, a time or a negative status), as a number: all fit 53 bits. */
export const i64At = (bytes: Uint8Array, at: number) => Number(view(bytes).getBigInt64(at, true));

export function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  values.forEach((value, i) => new DataView(out.buffer).setUint32(i * 4, value, true));
  return out;
}

export function u64s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  values.forEach((value, i) => new DataView(out.buffer).setBigUint64(i * 8, BigInt(value), true));
  return out;
}

export { concat } from "../bytes.js";
