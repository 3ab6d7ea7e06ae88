// The guest half of freenet-stdlib's input buffers (memory/buf.rs): the host
// asks the contract for a BufferBuilder per input, writes into it, and refills
// it through the fill_buffer import. Contracts re-export the two functions
// below from their entry file so the host can find them.

// BufferBuilder { start: i64, capacity: u32, last_read: i64, last_write: i64 },
// repr(C) on wasm32: i64 is 8-aligned, so capacity is followed by 4 bytes of padding.
export const BUILDER_START: usize = 0;
export const BUILDER_CAPACITY: usize = 8;
export const BUILDER_READ: usize = 16;
export const BUILDER_WRITE: usize = 24;
export const BUILDER_BYTES: usize = 32;

/** Streaming header: the u32 LE total length the host puts before the first chunk. */
export const HEADER_BYTES: u32 = 4;

/**
 * Pulls the next chunk of a streamed input into its buffer. The host resets
 * both counters to 0, writes up to `capacity` bytes and returns how many;
 * 0 means it has nothing more.
 */
// @ts-ignore: decorator
@external("freenet_contract_io", "__frnt__fill_buffer")
export declare function fillBuffer(id: i64, bufPtr: i64): u32;

// freenet-stdlib's INSTANCE_ID defaults to -1 until the host sets it.
let instance: i64 = -1;

/** The id the host gave this instance; passed back on every import call. */
export function instanceId(): i64 {
  return instance;
}

/** `__frnt_set_id(id: i64)`: called by the host right after instantiation. */
export function __frnt_set_id(id: i64): void {
  instance = id;
}

/**
 * `__frnt__initiate_buffer(capacity: u32) -> i64`: allocates the data area,
 * the two u32 counters and the builder itself. Nothing is freed: every call
 * runs on a fresh instance, as in freenet-stdlib.
 */
export function __frnt__initiate_buffer(capacity: u32): u64 {
  const data = heap.alloc(<usize>capacity);
  // Both counters share one allocation; they only need 4-byte alignment.
  const counters = heap.alloc(8);
  store<u32>(counters, 0);
  store<u32>(counters, 0, 4);
  const builder = heap.alloc(BUILDER_BYTES);
  memory.fill(builder, 0, BUILDER_BYTES);
  store<u64>(builder, <u64>data, BUILDER_START);
  store<u32>(builder, capacity, BUILDER_CAPACITY);
  store<u64>(builder, <u64>counters, BUILDER_READ);
  store<u64>(builder, <u64>(counters + 4), BUILDER_WRITE);
  return <u64>builder;
}
