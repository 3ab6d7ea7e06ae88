// A growable byte buffer with the LEB128 encoders the rewriter emits.
export class BinaryWriter {
  #buf = new Uint8Array(1024);
  length = 0;

  #room(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
  }

  byte(b: number): void {
    this.#room(1);
    this.#buf[this.length++] = b;
  }

  bytes(src: ArrayLike<number>): void {
    this.#room(src.length);
    this.#buf.set(src, this.length);
    this.length += src.length;
  }

  u32(value: number): void {
    this.#room(5);
    do {
      let b = value & 0x7f;
      value = Math.floor(value / 128);
      if (value > 0) b |= 0x80;
      this.#buf[this.length++] = b;
    } while (value > 0);
  }

  /** Signed LEB128 of a value in the safe-integer range (i32.const, i64.const immediates). */
  s64(value: number): void {
    this.#room(10);
    if (value >= 0) {
      for (;;) {
        const b = value % 128;
        value = Math.floor(value / 128);
        const done = value === 0 && (b & 0x40) === 0;
        this.#buf[this.length++] = done ? b : b | 0x80;
        if (done) return;
      }
    }
    let v = BigInt(value);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
      this.#buf[this.length++] = done ? b : b | 0x80;
      if (done) return;
    }
  }

  name(text: string): void {
    const encoded = new TextEncoder().encode(text);
    this.u32(encoded.length);
    this.bytes(encoded);
  }

  /** A section: id, size, payload. */
  section(id: number, payload: BinaryWriter): void {
    this.byte(id);
    this.u32(payload.length);
    this.bytes(payload.view());
  }

  reset(): void {
    this.length = 0;
  }

  view(): Uint8Array {
    return this.#buf.subarray(0, this.length);
  }

  finish(): Uint8Array<ArrayBuffer> {
    return this.#buf.slice(0, this.length);
  }
}

/** How many bytes the unsigned LEB128 of `value` takes. */
export function u32Size(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}
