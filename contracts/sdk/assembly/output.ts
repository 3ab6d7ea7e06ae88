// A growable byte buffer in guest memory that bincode-encodes results
// (fixint little-endian, u64 lengths) and ends as a ContractInterfaceResult.
import { InputStream } from "./input-stream";

// ContractInterfaceResult { ptr: i64, kind: i32, size: u32 }, repr(C).
const RECORD_BYTES: usize = 16;

export class Output {
  /** Start of the bytes; moves when the buffer grows, so keep offsets, not pointers. */
  ptr: usize;
  len: u32 = 0;
  private cap: u32;

  constructor(capacity: u32 = 64) {
    this.cap = max<u32>(capacity, 8);
    this.ptr = heap.alloc(<usize>this.cap);
  }

  /** Makes room for `n` more bytes without writing them (avoids repeated growth). */
  ensure(n: u32): void {
    const need = <u64>this.len + <u64>n;
    if (need > 0xffff_ffff) unreachable();
    if (<u32>need <= this.cap) return;
    // Doubling keeps appends amortised O(1); the stub allocator extends the last block in place.
    const grown = max<u64>(need, <u64>this.cap << 1);
    this.cap = <u32>min<u64>(grown, 0xffff_ffff);
    this.ptr = heap.realloc(this.ptr, <usize>this.cap);
  }

  /** Appends `n` uninitialised bytes and returns where they are (valid until the next growth). */
  reserve(n: u32): usize {
    this.ensure(n);
    const at = this.ptr + <usize>this.len;
    this.len += n;
    return at;
  }

  /** Drops everything after the first `len` bytes. */
  truncate(len: u32): void {
    if (len < this.len) this.len = len;
  }

  u8(value: u8): Output {
    store<u8>(this.reserve(1), value);
    return this;
  }

  u32(value: u32): Output {
    store<u32>(this.reserve(4), value);
    return this;
  }

  u64(value: u64): Output {
    store<u64>(this.reserve(8), value);
    return this;
  }

  /** Raw bytes, no length prefix (fixed-size fields such as contract ids). */
  raw(src: usize, n: u32): Output {
    memory.copy(this.reserve(n), src, n);
    return this;
  }

  /** Length-prefixed bytes: `Vec<u8>`, `State`, `StateDelta`, `StateSummary`. */
  bytes(src: usize, n: u32): Output {
    return this.u64(<u64>n).raw(src, n);
  }

  /** A bincode `String`: u64 byte length then UTF-8. */
  str(value: string): Output {
    const n = <u32>String.UTF8.byteLength(value);
    this.u64(<u64>n);
    String.UTF8.encodeUnsafe(changetype<usize>(value), value.length, this.reserve(n));
    return this;
  }

  /** Starts a length-prefixed byte field whose length is not known yet; pass the mark to endBytes. */
  beginBytes(): u32 {
    const mark = this.len;
    this.u64(0);
    return mark;
  }

  endBytes(mark: u32): void {
    this.patchU64(mark, <u64>(this.len - mark - 8));
  }

  patchU64(at: u32, value: u64): void {
    store<u64>(this.ptr + <usize>at, value);
  }

  /** Copies the next `n` bytes of `stream` to the end of the output; false if it ran short. */
  pipe(stream: InputStream, n: u32): bool {
    this.ensure(n);
    const at = this.len;
    const got = stream.read(this.ptr + <usize>at, n);
    this.len = at + got;
    if (got != n) stream.ok = false;
    return got == n;
  }

  /** Seals the buffer as a ContractInterfaceResult and returns its address for the export to return. */
  finish(kind: i32): i64 {
    const record = heap.alloc(RECORD_BYTES);
    store<u64>(record, <u64>this.ptr);
    store<i32>(record, kind, 8);
    store<u32>(record, this.len, 12);
    return <i64>record;
  }
}
