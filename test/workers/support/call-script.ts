// Request bodies for the edge_call guests, and readers for their answers.
// CallScript writes the script language of
// contracts/examples/transfer/assembly/probe/call-probe.ts (its header lists
// the ops and what each outputs); transferCommand writes the transfer
// example's commands. Everything is little-endian.
import { concat } from "../../support/bytes.js";

/** Instance ids are 32 raw bytes (base58-decode the HTTP API's ids). */
export const INSTANCE_ID_BYTES = 32;

/** The probe's mapping area: MAP, POKE and PEEK must stay inside it. */
export const CALL_PROBE_AREA_BYTES = 2 * 65536 + 64;

const Op = {
  MAP: 0x01,
  POKE: 0x02,
  PEEK: 0x03,
  WRITE: 0x04,
  READ: 0x05,
  CALL: 0x06,
  TRAP: 0x07,
  SPIN: 0x08,
  FAIL: 0x09,
  UNMAP: 0x0a,
  SYNC: 0x0b,
  RESULT_EDGE: 0x0c,
} as const;

function uint(value: number, bytes: 2 | 4): Uint8Array {
  // DataView would wrap an out-of-range value silently and the probe would run another script.
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * bytes)) {
    throw new RangeError(`${value} does not fit in u${8 * bytes}`);
  }
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  if (bytes === 2) view.setUint16(0, value, true);
  else view.setUint32(0, value, true);
  return out;
}

function u64(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`${value} does not fit in u64`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

function instanceId(id: Uint8Array): Uint8Array {
  if (id.length !== INSTANCE_ID_BYTES) throw new RangeError(`an instance id is 32 bytes, not ${id.length}`);
  return id;
}

/** A call-probe script, op by op: `new CallScript().write(0, data).call(id, inner.bytes()).bytes()`. */
export class CallScript {
  private readonly parts: Uint8Array[] = [];

  /** Output: [status i32]. */
  map(off: number, len: number): this {
    return this.op(Op.MAP, uint(off, 4), uint(len, 4));
  }

  /** No output. */
  poke(at: number, bytes: Uint8Array): this {
    return this.op(Op.POKE, uint(at, 4), uint(bytes.length, 2), bytes);
  }

  /** Output: the `len` bytes of the area at `at`. */
  peek(at: number, len: number): this {
    return this.op(Op.PEEK, uint(at, 4), uint(len, 2));
  }

  /** Output: [status i32]. */
  write(off: number, bytes: Uint8Array): this {
    return this.op(Op.WRITE, uint(off, 4), uint(bytes.length, 2), bytes);
  }

  /** Output: [status i32][len bytes] (zeros when the read failed). */
  read(off: number, len: number): this {
    return this.op(Op.READ, uint(off, 4), uint(len, 2));
  }

  /** Output: [status i32][size u32][answer]; read it with callOutputAt. */
  call(id: Uint8Array, input: Uint8Array): this {
    return this.op(Op.CALL, instanceId(id), uint(input.length, 4), input);
  }

  trap(): this {
    return this.op(Op.TRAP);
  }

  /** No output. */
  spin(n: number): this {
    return this.op(Op.SPIN, uint(n, 4));
  }

  /** The run answers the error "probe failed". */
  fail(): this {
    return this.op(Op.FAIL);
  }

  /** Output: [status i32]. */
  unmap(): this {
    return this.op(Op.UNMAP);
  }

  /** Output: [status i32]. */
  sync(): this {
    return this.op(Op.SYNC);
  }

  /** Output: four i32: a negative offset, a negative length, memory out of bounds, at the end (-1, -1, -2, 0). */
  resultEdge(): this {
    return this.op(Op.RESULT_EDGE);
  }

  bytes(): Uint8Array {
    return concat(...this.parts);
  }

  private op(code: number, ...fields: Uint8Array[]): this {
    this.parts.push(Uint8Array.of(code), ...fields);
    return this;
  }
}

function viewAt(bytes: Uint8Array, offset: number, size: number): DataView {
  if (offset < 0 || offset + size > bytes.length) {
    throw new RangeError(`${size} bytes at ${offset} are past the end of ${bytes.length}`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset + offset, size);
}

export const i32At = (bytes: Uint8Array, offset: number): number =>
  viewAt(bytes, offset, 4).getInt32(0, true);

export const u32At = (bytes: Uint8Array, offset: number): number =>
  viewAt(bytes, offset, 4).getUint32(0, true);

export const u64At = (bytes: Uint8Array, offset: number): bigint =>
  viewAt(bytes, offset, 8).getBigUint64(0, true);

/** One CALL's output at `offset` of a probe's answer; `end` is where the next op's output starts. */
export function callOutputAt(
  bytes: Uint8Array,
  offset: number,
): { status: number; answer: Uint8Array; end: number } {
  const end = offset + 8 + u32At(bytes, offset + 4);
  if (end > bytes.length) {
    throw new RangeError(`the answer at ${offset} ends at ${end}, past ${bytes.length}`);
  }
  return { status: i32At(bytes, offset), answer: bytes.subarray(offset + 8, end), end };
}

/** The transfer example's commands; each answers [balance u64] (read it with u64At). */
export const transferCommand = {
  credit: (amount: bigint): Uint8Array => concat(Uint8Array.of(1), u64(amount)),
  transfer: (to: Uint8Array, amount: bigint): Uint8Array =>
    concat(Uint8Array.of(2), instanceId(to), u64(amount)),
  balance: (): Uint8Array => Uint8Array.of(3),
};
