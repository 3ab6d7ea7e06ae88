// The host side of freenet-stdlib's input buffers (memory/buf.rs). Streaming
// (stdlib >= 0.3.4, the module imports freenet_contract_io): the first buffer
// holds [total_len: u32 LE][first bytes], capacity min(64 KiB, len + 4), and
// the guest pulls the rest with __frnt__fill_buffer, one refill per drained
// buffer. Legacy: one buffer of exactly len bytes, no header.
import { EdgeError } from "../../errors.js";
import { fault, toPointer, type GuestMemory } from "../guest-memory.js";
import { pump, type InputSource } from "../input-source.js";

/** The refill window (README "Contracts: the Freenet ABI"): 64 KiB per fill_buffer. */
export const STREAMING_BUFFER_BYTES = 64 * 1024;
const HEADER_BYTES = 4;
// BufferBuilder { start: i64, capacity: u32, last_read: i64, last_write: i64 }, repr(C) on wasm32.
const START = 0;
const CAPACITY = 8;
const READ_COUNTER = 16;
const WRITE_COUNTER = 24;
const BUILDER_BYTES = 32;

export interface BufferExports {
  /** A promise when the guest runs suspendable (JSPI). */
  __frnt__initiate_buffer(capacity: number): bigint | Promise<bigint>;
}

interface Builder {
  start: number;
  capacity: number;
  readCounter: number;
  writeCounter: number;
}

export class InputBuffers {
  readonly #memory: GuestMemory;
  readonly #exports: BufferExports;
  readonly #streaming: boolean;
  readonly #pending = new Map<number, InputSource>();

  constructor(memory: GuestMemory, exports: BufferExports, streaming: boolean) {
    this.#memory = memory;
    this.#exports = exports;
    this.#streaming = streaming;
  }

  /** Allocates a guest buffer for `source` and writes what the protocol puts up front. */
  async place(source: InputSource): Promise<bigint> {
    if (source.length > 0xffff_ffff) {
      throw new EdgeError(
        "PAYLOAD_TOO_LARGE",
        "contract inputs are limited to 4 GiB by the u32 length header",
      );
    }
    const capacity = this.#streaming
      ? Math.min(STREAMING_BUFFER_BYTES, source.length + HEADER_BYTES)
      : source.length;
    const raw = await this.#exports.__frnt__initiate_buffer(capacity);
    this.#memory.checkLimit();
    const ptr = toPointer(raw, "__frnt__initiate_buffer result");
    const builder = this.#builder(ptr, capacity);
    if (!this.#streaming) {
      await this.#copy(source, source.length, builder.start);
      this.#memory.setU32(builder.writeCounter, source.length, "buffer write counter");
      return raw;
    }
    const header = new Uint8Array(HEADER_BYTES);
    new DataView(header.buffer).setUint32(0, source.length, true);
    this.#memory.write(builder.start, header, "buffer header");
    const first = Math.min(source.length, capacity - HEADER_BYTES);
    await this.#copy(source, first, builder.start + HEADER_BYTES);
    this.#memory.setU32(builder.writeCounter, HEADER_BYTES + first, "buffer write counter");
    if (first < source.length) this.#pending.set(ptr, source);
    return raw;
  }

  /** `__frnt__fill_buffer(id, buf_ptr) -> u32`: 0 means end of data (or a buffer we never streamed). */
  fill(bufPtr: bigint): number | Promise<number> {
    const ptr = toPointer(bufPtr, "__frnt__fill_buffer buffer");
    const source = this.#pending.get(ptr);
    if (!source) return 0;
    const builder = this.#builder(ptr, STREAMING_BUFFER_BYTES);
    this.#memory.setU32(builder.readCounter, 0, "buffer read counter");
    this.#memory.setU32(builder.writeCounter, 0, "buffer write counter");
    const copied = pump(source, builder.capacity, (chunk, offset) =>
      this.#memory.write(builder.start + offset, chunk, "buffer refill"),
    );
    const finish = (count: number) => {
      if (count < builder.capacity) this.#pending.delete(ptr);
      this.#memory.setU32(builder.writeCounter, count, "buffer write counter");
      return count;
    };
    return typeof copied === "number" ? finish(copied) : copied.then(finish);
  }

  #builder(ptr: number, maxCapacity: number): Builder {
    this.#memory.view(ptr, BUILDER_BYTES, "BufferBuilder");
    const capacity = this.#memory.u32(ptr + CAPACITY, "BufferBuilder.capacity");
    if (capacity > maxCapacity)
      throw fault(`BufferBuilder.capacity ${capacity} exceeds the ${maxCapacity} requested`);
    const builder = {
      start: this.#memory.pointer64(ptr + START, "BufferBuilder.start"),
      capacity,
      readCounter: this.#memory.pointer64(ptr + READ_COUNTER, "BufferBuilder.last_read"),
      writeCounter: this.#memory.pointer64(ptr + WRITE_COUNTER, "BufferBuilder.last_write"),
    };
    this.#memory.view(builder.start, capacity, "buffer data");
    this.#memory.view(builder.readCounter, 4, "buffer read counter");
    this.#memory.view(builder.writeCounter, 4, "buffer write counter");
    return builder;
  }

  async #copy(source: InputSource, n: number, at: number): Promise<void> {
    const copied = await pump(source, n, (chunk, offset) =>
      this.#memory.write(at + offset, chunk, "buffer data"),
    );
    if (copied !== n) throw new EdgeError("INTERNAL", `input ended early: ${copied} of ${n} bytes`);
  }
}
