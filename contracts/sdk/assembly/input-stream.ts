// Reads one streamed input (parameters, state, or the third argument) through
// its BufferBuilder. Only the host's buffer (at most 64 KiB) ever holds data:
// bytes are served from it and the host refills it when drained, so a contract
// can walk a 64 MiB state with flat memory.
import {
  BUILDER_CAPACITY,
  BUILDER_READ,
  BUILDER_START,
  BUILDER_WRITE,
  HEADER_BYTES,
  fillBuffer,
  instanceId,
} from "./buffers";

// Staging for fixed-size reads that straddle a refill; used only within one call.
const SCRATCH: usize = memory.data(8, 8);

export class InputStream {
  /** Payload length announced by the host's header. */
  readonly total: u32;
  /** Payload bytes consumed so far (read or skipped). */
  position: u32 = 0;
  /** The host stopped delivering before `total` bytes: the input is incomplete. */
  truncated: bool = false;
  /** False once any read, readExact, readUxx or skip came up short; stays false. */
  ok: bool = true;
  /** After pull(): where the pulled bytes are (inside the host's buffer). */
  chunk: usize = 0;

  private readonly builder: usize;
  private readonly start: usize;
  private readonly capacity: u32;
  private readonly readCounter: usize;
  private readonly writeCounter: usize;

  /** `ptr` is the BufferBuilder address an export received. */
  constructor(ptr: i64) {
    const builder = <usize>ptr;
    this.builder = builder;
    this.start = <usize>load<u64>(builder, BUILDER_START);
    this.capacity = load<u32>(builder, BUILDER_CAPACITY);
    this.readCounter = <usize>load<u64>(builder, BUILDER_READ);
    this.writeCounter = <usize>load<u64>(builder, BUILDER_WRITE);
    if (this.written() >= HEADER_BYTES) {
      this.total = load<u32>(this.start);
      store<u32>(this.readCounter, HEADER_BYTES);
    } else {
      // No header at all: nothing trustworthy to read.
      this.total = 0;
      this.truncated = true;
      this.ok = false;
    }
  }

  remaining(): u32 {
    return this.total - this.position;
  }

  /** Everything announced was consumed and delivered. */
  atEnd(): bool {
    return this.position == this.total && !this.truncated;
  }

  /**
   * Consumes up to `max` bytes without copying them: they are at `chunk`
   * until the next call on this stream. Returns 0 only at the end (or when
   * the host ended early: see `truncated`).
   */
  pull(max: u32): u32 {
    if (max == 0) return 0; // never refill for nothing
    const n = min(this.available(), max);
    this.chunk = this.start + <usize>load<u32>(this.readCounter);
    this.advance(n);
    return n;
  }

  /** Copies up to `max` bytes to `dst`; fewer only at the end of the input. */
  read(dst: usize, max: u32): u32 {
    let done: u32 = 0;
    while (done < max) {
      const n = this.pull(max - done);
      if (n == 0) break;
      memory.copy(dst + done, this.chunk, n);
      done += n;
    }
    return done;
  }

  readExact(dst: usize, n: u32): bool {
    if (n > this.remaining() || this.read(dst, n) != n) return this.fail();
    return true;
  }

  skip(n: u32): bool {
    if (n > this.remaining()) return this.fail();
    let done: u32 = 0;
    while (done < n) {
      const got = this.pull(n - done);
      if (got == 0) return this.fail();
      done += got;
    }
    return true;
  }

  /** Consumes whatever is left; false if the host delivered less than announced. */
  drain(): bool {
    return this.skip(this.remaining());
  }

  /** Reads `n` bytes into a fresh heap block (check `ok` afterwards). */
  readBytes(n: u32): usize {
    const dst = heap.alloc(<usize>n);
    this.readExact(dst, n);
    return dst;
  }

  readU8(): u8 {
    return this.readExact(SCRATCH, 1) ? load<u8>(SCRATCH) : 0;
  }

  /** Little-endian; 0 with `ok` false when fewer than 4 bytes are left. */
  readU32(): u32 {
    if (this.available() >= 4) {
      const value = load<u32>(this.start + <usize>load<u32>(this.readCounter));
      this.advance(4);
      return value;
    }
    return this.readExact(SCRATCH, 4) ? load<u32>(SCRATCH) : 0;
  }

  /** Little-endian; 0 with `ok` false when fewer than 8 bytes are left. */
  readU64(): u64 {
    if (this.available() >= 8) {
      const value = load<u64>(this.start + <usize>load<u32>(this.readCounter));
      this.advance(8);
      return value;
    }
    return this.readExact(SCRATCH, 8) ? load<u64>(SCRATCH) : 0;
  }

  private fail(): bool {
    this.ok = false;
    return false;
  }

  private written(): u32 {
    // A write counter past the buffer would make us read beyond it.
    return min(load<u32>(this.writeCounter), this.capacity);
  }

  private advance(n: u32): void {
    store<u32>(this.readCounter, load<u32>(this.readCounter) + n);
    this.position += n;
  }

  /** Contiguous unread bytes in the buffer, refilling once if it is drained. */
  private available(): u32 {
    const left = this.remaining();
    if (left == 0 || this.truncated) return 0;
    let read = load<u32>(this.readCounter);
    let write = this.written();
    if (write <= read) {
      if (fillBuffer(instanceId(), <i64>this.builder) == 0) {
        this.truncated = true;
        return 0;
      }
      // The host rewound the counters; trust them rather than the return value.
      read = load<u32>(this.readCounter);
      write = this.written();
      if (write <= read) {
        this.truncated = true;
        return 0;
      }
    }
    return min(write - read, left);
  }
}
