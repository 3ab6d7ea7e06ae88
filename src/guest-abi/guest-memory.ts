// Bounds-checked access to a guest's linear memory. Every pointer and length
// that comes from the guest goes through here, and views are taken afresh on
// each access because memory.grow detaches the previous ArrayBuffer.
import { EdgeError } from "../errors.js";

export class GuestMemory {
  readonly #memory: WebAssembly.Memory;
  readonly #limitBytes: number;

  constructor(memory: WebAssembly.Memory, limitBytes: number) {
    this.#memory = memory;
    this.#limitBytes = limitBytes;
  }

  get size(): number {
    return this.#memory.buffer.byteLength;
  }

  /** Fails with CONTRACT_OUT_OF_MEMORY once the guest has grown past its cap. */
  checkLimit(): void {
    if (this.size > this.#limitBytes) throw this.limitError();
  }

  /** True once the guest has used all the memory it may have (its failures are then memory failures). */
  atLimit(): boolean {
    return this.size >= this.#limitBytes;
  }

  /** The guest ran out of memory; `requestedBytes`: what its refused memory.grow asked for on top. */
  limitError(requestedBytes?: number): EdgeError {
    const asked = requestedBytes === undefined ? "" : ` (it asked for ${requestedBytes} more bytes)`;
    return new EdgeError(
      "CONTRACT_OUT_OF_MEMORY",
      `the contract ran out of memory at ${this.size} bytes; the limit is ${this.#limitBytes}${asked}`,
      {
        details: {
          limit: this.#limitBytes,
          size: this.size,
          ...(requestedBytes === undefined ? {} : { requested: requestedBytes }),
        },
      },
    );
  }

  /** Whether [ptr, ptr + len) lies inside memory (for imports that answer OUT_OF_BOUNDS instead of trapping). */
  contains(ptr: number, len: number): boolean {
    return (
      Number.isSafeInteger(ptr) && Number.isSafeInteger(len) && ptr >= 0 && len >= 0 && ptr + len <= this.size
    );
  }

  /** A live view of [ptr, ptr + len); valid until the guest runs again. */
  view(ptr: number, len: number, what: string): Uint8Array {
    this.#check(ptr, len, what);
    return new Uint8Array(this.#memory.buffer, ptr, len);
  }

  read(ptr: number, len: number, what: string): Uint8Array {
    return this.view(ptr, len, what).slice();
  }

  write(ptr: number, bytes: Uint8Array, what: string): void {
    this.view(ptr, bytes.length, what).set(bytes);
  }

  u32(ptr: number, what: string): number {
    this.#check(ptr, 4, what);
    return new DataView(this.#memory.buffer).getUint32(ptr, true);
  }

  i32(ptr: number, what: string): number {
    this.#check(ptr, 4, what);
    return new DataView(this.#memory.buffer).getInt32(ptr, true);
  }

  setU32(ptr: number, value: number, what: string): void {
    this.#check(ptr, 4, what);
    new DataView(this.#memory.buffer).setUint32(ptr, value, true);
  }

  /** An i64 the guest uses as a wasm32 pointer: must fit in 32 bits and lie inside memory. */
  pointer64(ptr: number, what: string): number {
    this.#check(ptr, 8, what);
    const value = new DataView(this.#memory.buffer).getBigUint64(ptr, true);
    return toPointer(value, what);
  }

  #check(ptr: number, len: number, what: string): void {
    if (
      !Number.isSafeInteger(ptr) ||
      !Number.isSafeInteger(len) ||
      ptr < 0 ||
      len < 0 ||
      ptr + len > this.size
    ) {
      throw fault(`${what}: [${ptr}, +${len}) lies outside guest memory (${this.size} bytes)`);
    }
  }
}

export function toPointer(value: bigint | number, what: string): number {
  const n = typeof value === "bigint" ? value : BigInt(value);
  if (n < 0n || n > 0xffff_ffffn) throw fault(`${what}: ${n} is not a wasm32 pointer`);
  return Number(n);
}

export function fault(message: string): EdgeError {
  return new EdgeError("CONTRACT_FAULT", message);
}
