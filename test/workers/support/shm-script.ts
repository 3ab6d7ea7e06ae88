// Request bodies for the shm-script probe (contracts/examples/shm/assembly/probe/shm-script.ts:
// its header lists the ops and their outputs) and readers for what they answer.
import { concat } from "../../support/bytes.js";

export const ATTACH_WRITE = 1;
export const ATTACH_SHARED = 2;
export const ShmError = { NO_STORAGE: 0, BUSY: 1, WRONG_SIZE: 2, INTERNAL: 3 } as const;
/** Addresses with this bit are absolute (ADD_STORAGE, LOCAL); without it, offsets into the probe's STORAGE. */
export const ABSOLUTE = 0x8000_0000;

const u8 = (value: number) => Uint8Array.of(value);
function u32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff)
    throw new RangeError(`${value} is no u32`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}
function u16(value: number): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value, true);
  return out;
}

export class ShmScript {
  readonly #parts: Uint8Array[] = [];

  #op(code: number, ...args: Uint8Array[]): this {
    this.#parts.push(u8(code), ...args);
    return this;
  }

  create = (size: number) => this.#op(0x01, u32(size));
  clone = (h: number) => this.#op(0x02, u32(h));
  attach = (h: number, flags: number) => this.#op(0x03, u32(h), u32(flags));
  detach = (h: number, consumed: number) => this.#op(0x04, u32(h), u32(consumed));
  drop = (h: number) => this.#op(0x05, u32(h));
  addStorage = (addr: number, size: number) => this.#op(0x06, u32(addr), u32(size));
  minSize = (h: number) => this.#op(0x07, u32(h));
  optimum = (count: number, size: number) => this.#op(0x08, u32(count), u32(size));
  local = (addr: number, size: number) => this.#op(0x09, u32(addr), u32(size));
  partition = (h: number, start: number, size: number, mode: number) =>
    this.#op(0x0a, u32(h), u32(start), u32(size), u32(mode));
  poke = (at: number, bytes: Uint8Array) => this.#op(0x0b, u32(at), u16(bytes.length), bytes);
  peek = (at: number, len: number) => this.#op(0x0c, u32(at), u16(len));
  call = (id: Uint8Array, blocks: Array<[number, 0 | 1]>, input: Uint8Array) =>
    this.#op(
      0x0d,
      id,
      u8(blocks.length),
      ...blocks.flatMap(([h, mode]) => [u32(h), u32(mode)]),
      u32(input.length),
      input,
    );
  passed = (index: number) => this.#op(0x0e, u32(index));
  fill = (at: number, len: number, byte: number) => this.#op(0x0f, u32(at), u32(len), u8(byte));
  sum = (at: number, len: number) => this.#op(0x10, u32(at), u32(len));
  publish = (pub: number, h: number) => this.#op(0x11, u32(pub), u32(h));
  publisher = (elements: number, size: number) => this.#op(0x12, u32(elements), u32(size));
  allocate = (pub: number) => this.#op(0x13, u32(pub));
  inbox = () => this.#op(0x14);
  stream = (sub: number) => this.#op(0x15, u32(sub));
  next = (stream: number) => this.#op(0x16, u32(stream));
  tap = (pub: number) => this.#op(0x17, u32(pub));
  trap = () => this.#op(0x18);
  fail = () => this.#op(0x19);
  alloc = (size: number) => this.#op(0x1a, u32(size));
  subscribe = (publisher: Uint8Array) => this.#op(0x20, publisher);
  unsubscribe = (publisher: Uint8Array) => this.#op(0x21, publisher);

  bytes(): Uint8Array {
    return concat(...this.#parts);
  }
}

export const script = () => new ShmScript();

/** Reads a probe's concatenated outputs in order. */
export class Answer {
  readonly #view: DataView;
  #at = 0;

  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  i32(): number {
    const value = this.#view.getInt32(this.#at, true);
    this.#at += 4;
    return value;
  }

  u32(): number {
    const value = this.#view.getUint32(this.#at, true);
    this.#at += 4;
    return value;
  }

  u8(): number {
    return this.#view.getUint8(this.#at++);
  }

  take(len: number): Uint8Array {
    const out = this.bytes.slice(this.#at, this.#at + len);
    this.#at += len;
    return out;
  }

  /** An ATTACH output: ok with its area, or the error. */
  attach(): { ok: true; addr: number; size: number } | { ok: false; error: number } {
    const disc = this.u8();
    const addr = this.u32();
    const size = this.u32();
    const error = this.u8();
    return disc === 0 ? { ok: true, addr, size } : { ok: false, error };
  }

  /** An ADD_STORAGE output: null for ok, else the error. */
  storage(): number | null {
    const disc = this.u8();
    const error = this.u8();
    return disc === 0 ? null : error;
  }

  /** A NEXT output. */
  next(): { tag: number; block: number; seq: number; missed: number; publisher: Uint8Array } {
    const area = this.take(56);
    const view = new DataView(area.buffer);
    return {
      tag: view.getUint8(0),
      block: view.getUint32(4, true),
      seq: Number(view.getBigUint64(8, true)),
      missed: view.getUint32(16, true),
      publisher: area.slice(20, 52),
    };
  }

  get done(): boolean {
    return this.#at === this.bytes.length;
  }
}
