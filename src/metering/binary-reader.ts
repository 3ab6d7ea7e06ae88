// A cursor over WebAssembly binary bytes: the LEB128 forms the format uses and
// the skips the rewriter needs. The module was validated before it gets here,
// so a malformed read is still refused (INVALID_WASM), never trusted.
import { EdgeError } from "../errors.js";

export class BinaryReader {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string): never {
    throw new EdgeError("INVALID_WASM", `${message} at byte ${this.pos}`);
  }

  byte(): number {
    if (this.pos >= this.end) this.fail("unexpected end of module");
    return this.bytes[this.pos++] as number;
  }

  /** Unsigned LEB128 up to 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) this.fail("LEB128 longer than 5 bytes");
    }
    if (result > 0xffff_ffff) this.fail("LEB128 exceeds 32 bits");
    return result;
  }

  /** Signed LEB128 of at most 5 bytes (s32, s33: block types), as a number. */
  s33(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (shift > 35) this.fail("signed LEB128 longer than 5 bytes");
    } while (b & 0x80);
    if (b & 0x40) result -= 2 ** shift;
    return result;
  }

  /** Skips any LEB128 (s32, s64) without decoding it. */
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    this.fail("LEB128 longer than 10 bytes");
  }

  skip(count: number): void {
    if (count > this.end - this.pos) this.fail(`${count} bytes run past the end`);
    this.pos += count;
  }

  /** A length-prefixed byte string (names). */
  skipName(): void {
    this.skip(this.u32());
  }

  name(): string {
    const length = this.u32();
    const start = this.pos;
    this.skip(length);
    return new TextDecoder().decode(this.bytes.subarray(start, start + length));
  }
}
