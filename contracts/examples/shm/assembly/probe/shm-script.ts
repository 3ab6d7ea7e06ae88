// Test entry for the memory-block and pub-sub tests (test:shm/exchange,
// test:shm/pub-sub, edge_call's call_blocks and call_block); the build
// compiles it to build/contracts/shm-script.wasm. The request body is a
// script of ops run in order; the response is the concatenation of their
// outputs. A CALL op can call another shm-script instance with a script of
// its own, so one request drives a whole call tree. Integers are
// little-endian; handles and statuses are i32; `h`, `pub`, `sub` and `stream`
// are any u32, passed to the host as they are (a wrong one traps there).
//
//   0x01 CREATE [size u32]                    [constructor]memory-block     -> [handle]
//   0x02 CLONE [h u32]                        memory-block.clone            -> [handle]
//   0x03 ATTACH [h u32][flags u32]            memory-block.attach           -> [disc u8][addr u32][size u32][err u8]
//                                               (addr and size 0 on err, err 0 on ok)
//   0x04 DETACH [h u32][consumed u32]         memory-block.detach           -> nothing
//   0x05 DROP [h u32]                         [resource-drop]memory-block   -> nothing
//   0x06 ADD_STORAGE [addr u32][size u32]     memory-block.add-storage      -> [disc u8][err u8]
//   0x07 MIN_SIZE [h u32]                     memory-block.minimum-size     -> [u32]
//   0x08 OPTIMUM [count u32][size u32]        memory-block.optimum-size     -> [u32]
//   0x09 LOCAL [addr u32][size u32]           memory-block.create-local     -> [handle]
//   0x0A PARTITION [h u32][start u32][size u32][mode u32]
//                                             memory-block.create-partition -> nothing
//   0x0B POKE [at u32][len u16][bytes]        bytes to memory at `at`       -> nothing
//   0x0C PEEK [at u32][len u16]               memory [at, +len)             -> [bytes]
//   0x0D CALL [id 32][n u8][n x (h u32, mode u32)][len u32][input]
//                                             call_blocks                   -> [status][size u32][answer]
//   0x0E PASSED [index u32]                   call_block                    -> [handle or status]
//   0x0F FILL [at u32][len u32][byte u8]      memory.fill                   -> nothing
//   0x10 SUM [at u32][len u32]                sum of the bytes, mod 2^32    -> [u32]
//   0x11 PUBLISH [pub u32][h u32]             publisher.publish             -> nothing
//   0x12 PUBLISHER [elements u32][size u32]   [constructor]publisher        -> [pub]
//   0x13 ALLOCATE [pub u32]                   publisher.allocate            -> [block][initialized u32]
//   0x14 INBOX                                [constructor]subscriber       -> [sub]
//   0x15 STREAM [sub u32]                     subscriber.get-stream         -> [stream]
//   0x16 NEXT [stream u32]                    block-stream.next             -> the 56-byte result area as written
//   0x17 TAP [pub u32]                        publisher.subscribers         -> [sub]
//   0x18 TRAP                                 unreachable
//   0x19 FAIL                                 runError("probe failed"), dropping the outputs so far
//   Beyond the seed's list, for the rest of the ABI:
//   0x1A ALLOC [size u32]                     heap.alloc, 16-aligned        -> [addr u32] (contents unspecified;
//                                                                             traps past the memory cap)
//   0x1B SUB_CLONE [sub u32]                  subscriber.clone              -> [sub]
//   0x1C PUB_STREAM [pub u32]                 publisher.get-stream          -> [stream]
//   0x1D DROP_PUBLISHER [pub u32]             [resource-drop]publisher      -> nothing
//   0x1E DROP_SUBSCRIBER [sub u32]            [resource-drop]subscriber     -> nothing
//   0x1F DROP_STREAM [stream u32]             [resource-drop]block-stream   -> nothing
//   0x20 SUBSCRIBE [id 32]                    subscriber.subscribe          -> [status]
//   0x21 UNSUBSCRIBE [id 32]                  subscriber.unsubscribe        -> [status]
//
// ADD_STORAGE's and LOCAL's `addr` is an offset into STORAGE, one static
// 256 KiB area (16-aligned), unless its high bit (0x80000000) is set: then
// its low 31 bits are an absolute address, unchecked (to reach beyond memory,
// or an area ALLOC made, for blocks bigger than STORAGE). POKE, PEEK, FILL and SUM take absolute
// addresses, as ATTACH answers them, and must stay inside memory. ATTACH's
// and NEXT's outputs come from return areas zeroed before each call. An
// unknown op, a truncated script, or a POKE, PEEK, FILL or SUM outside memory
// answers runError("bad script at byte N"), N being the offset of the op's
// first byte.
import {
  Attached,
  BlockStream,
  Call,
  CALL_BLOCK_PAIR_BYTES,
  InputStream,
  INSTANCE_ID_BYTES,
  MemoryBlock,
  NEXT_RESULT_BYTES,
  Output,
  Publisher,
  Subscriber,
  ADD_STORAGE_OK,
  runError,
  runOkOutput,
} from "../../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../../sdk/assembly/index";

const OP_CREATE: u8 = 0x01;
const OP_CLONE: u8 = 0x02;
const OP_ATTACH: u8 = 0x03;
const OP_DETACH: u8 = 0x04;
const OP_DROP: u8 = 0x05;
const OP_ADD_STORAGE: u8 = 0x06;
const OP_MIN_SIZE: u8 = 0x07;
const OP_OPTIMUM: u8 = 0x08;
const OP_LOCAL: u8 = 0x09;
const OP_PARTITION: u8 = 0x0a;
const OP_POKE: u8 = 0x0b;
const OP_PEEK: u8 = 0x0c;
const OP_CALL: u8 = 0x0d;
const OP_PASSED: u8 = 0x0e;
const OP_FILL: u8 = 0x0f;
const OP_SUM: u8 = 0x10;
const OP_PUBLISH: u8 = 0x11;
const OP_PUBLISHER: u8 = 0x12;
const OP_ALLOCATE: u8 = 0x13;
const OP_INBOX: u8 = 0x14;
const OP_STREAM: u8 = 0x15;
const OP_NEXT: u8 = 0x16;
const OP_TAP: u8 = 0x17;
const OP_TRAP: u8 = 0x18;
const OP_FAIL: u8 = 0x19;
const OP_ALLOC: u8 = 0x1a;
const OP_SUB_CLONE: u8 = 0x1b;
const OP_PUB_STREAM: u8 = 0x1c;
const OP_DROP_PUBLISHER: u8 = 0x1d;
const OP_DROP_SUBSCRIBER: u8 = 0x1e;
const OP_DROP_STREAM: u8 = 0x1f;
const OP_SUBSCRIBE: u8 = 0x20;
const OP_UNSUBSCRIBE: u8 = 0x21;

const STORAGE_BYTES: u32 = 256 * 1024;
const STORAGE: usize = memory.data(<i32>STORAGE_BYTES, 16);
/** ADD_STORAGE's and LOCAL's flag for an absolute address. */
const ABSOLUTE: u32 = 0x8000_0000;

/** What a step answers for a bad script; run adds where it starts. */
const BAD = "";

function handle(out: Output, value: i32): void {
  out.u32(<u32>value);
}

function readU16(stream: InputStream): u32 {
  const lo = <u32>stream.readU8();
  return lo | (<u32>stream.readU8() << 8);
}

/** An ADD_STORAGE or LOCAL address: an offset into STORAGE, or absolute with the high bit. */
function storageAddress(addr: u32): usize {
  return (addr & ABSOLUTE) != 0 ? <usize>(addr & ~ABSOLUTE) : STORAGE + <usize>addr;
}

/** [at, at + len) lies inside linear memory as it is now. */
function inMemory(at: u32, len: u32): bool {
  return <u64>at + <u64>len <= <u64>memory.size() << 16;
}

/** The sum of the bytes at [at, at + len), mod 2^32, 16 bytes a step (fuel is charged per loop turn). */
function sum(at: usize, len: u32): u32 {
  let acc = i32x4.splat(0);
  let i: u32 = 0;
  for (; i + 16 <= len; i += 16) {
    acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v128.load(at + <usize>i))));
  }
  let total =
    <u32>i32x4.extract_lane(acc, 0) +
    <u32>i32x4.extract_lane(acc, 1) +
    <u32>i32x4.extract_lane(acc, 2) +
    <u32>i32x4.extract_lane(acc, 3);
  for (; i < len; i++) total += <u32>load<u8>(at + <usize>i);
  return total;
}

/** call_blocks, then appends [status][size][answer]; BAD, or an error message if the answer cannot be read in full. */
function call(stream: InputStream, out: Output): string | null {
  const id = stream.readBytes(INSTANCE_ID_BYTES);
  const count = <u32>stream.readU8();
  if (!stream.ok) return BAD;
  const blocks = stream.readBytes(count * CALL_BLOCK_PAIR_BYTES);
  const len = stream.readU32();
  // Checked before allocating: a bad length must not grow memory.
  if (!stream.ok || len > stream.remaining()) return BAD;
  const input = stream.readBytes(len);
  if (!stream.ok) return BAD;
  const result = Call.invokeWithBlocksRaw(id, input, len, blocks, count);
  handle(out, result);
  return Call.appendResult(out);
}

/** Runs one op: null to go on, else BAD or the run's error message. */
function step(stream: InputStream, out: Output): string | null {
  const op = stream.readU8();
  if (!stream.ok) return BAD;
  if (op == OP_CREATE) {
    const size = stream.readU32();
    if (!stream.ok) return BAD;
    handle(out, MemoryBlock.create(size).handle);
  } else if (op == OP_CLONE) {
    const h = stream.readU32();
    if (!stream.ok) return BAD;
    handle(out, new MemoryBlock(<i32>h).clone().handle);
  } else if (op == OP_ATTACH) {
    const h = stream.readU32();
    const flags = stream.readU32();
    if (!stream.ok) return BAD;
    const area: Attached = new MemoryBlock(<i32>h).attach(flags);
    out.u8(area.discriminant).u32(<u32>area.addr).u32(area.size).u8(area.error);
  } else if (op == OP_DETACH) {
    const h = stream.readU32();
    const consumed = stream.readU32();
    if (!stream.ok) return BAD;
    new MemoryBlock(<i32>h).detach(consumed);
  } else if (op == OP_DROP) {
    const h = stream.readU32();
    if (!stream.ok) return BAD;
    new MemoryBlock(<i32>h).drop();
  } else if (op == OP_ADD_STORAGE) {
    const addr = stream.readU32();
    const size = stream.readU32();
    if (!stream.ok) return BAD;
    const status = MemoryBlock.addStorage(storageAddress(addr), size);
    if (status == ADD_STORAGE_OK) out.u8(0).u8(0);
    else out.u8(1).u8(<u8>status);
  } else if (op == OP_MIN_SIZE) {
    const h = stream.readU32();
    if (!stream.ok) return BAD;
    out.u32(new MemoryBlock(<i32>h).minimumSize());
  } else if (op == OP_OPTIMUM) {
    const count = stream.readU32();
    const size = stream.readU32();
    if (!stream.ok) return BAD;
    out.u32(MemoryBlock.optimumSize(count, size));
  } else if (op == OP_LOCAL) {
    const addr = stream.readU32();
    const size = stream.readU32();
    if (!stream.ok) return BAD;
    handle(out, MemoryBlock.createLocal(storageAddress(addr), size).handle);
  } else if (op == OP_PARTITION) {
    const h = stream.readU32();
    const start = stream.readU32();
    const size = stream.readU32();
    const mode = stream.readU32();
    if (!stream.ok) return BAD;
    new MemoryBlock(<i32>h).createPartition(start, size, mode);
  } else if (op == OP_POKE) {
    const at = stream.readU32();
    const len = readU16(stream);
    if (!stream.ok || !inMemory(at, len) || !stream.readExact(<usize>at, len)) return BAD;
  } else if (op == OP_PEEK) {
    const at = stream.readU32();
    const len = readU16(stream);
    if (!stream.ok || !inMemory(at, len)) return BAD;
    out.raw(<usize>at, len);
  } else if (op == OP_CALL) {
    return call(stream, out);
  } else if (op == OP_PASSED) {
    const index = stream.readU32();
    if (!stream.ok) return BAD;
    handle(out, Call.passedBlock(index));
  } else if (op == OP_FILL) {
    const at = stream.readU32();
    const len = stream.readU32();
    const byte = stream.readU8();
    if (!stream.ok || !inMemory(at, len)) return BAD;
    memory.fill(<usize>at, byte, len);
  } else if (op == OP_SUM) {
    const at = stream.readU32();
    const len = stream.readU32();
    if (!stream.ok || !inMemory(at, len)) return BAD;
    out.u32(sum(<usize>at, len));
  } else if (op == OP_PUBLISH) {
    const pub = stream.readU32();
    const h = stream.readU32();
    if (!stream.ok) return BAD;
    new Publisher(<i32>pub).publish(new MemoryBlock(<i32>h));
  } else if (op == OP_PUBLISHER) {
    const elements = stream.readU32();
    const size = stream.readU32();
    if (!stream.ok) return BAD;
    handle(out, Publisher.create(elements, size).handle);
  } else if (op == OP_ALLOCATE) {
    const pub = stream.readU32();
    if (!stream.ok) return BAD;
    const allocation = new Publisher(<i32>pub).allocate();
    handle(out, allocation.block.handle);
    out.u32(allocation.initialized);
  } else if (op == OP_INBOX) {
    handle(out, Subscriber.inbox().handle);
  } else if (op == OP_STREAM) {
    const sub = stream.readU32();
    if (!stream.ok) return BAD;
    handle(out, new Subscriber(<i32>sub).getStream().handle);
  } else if (op == OP_NEXT) {
    const h = stream.readU32();
    if (!stream.ok) return BAD;
    const entries = new BlockStream(<i32>h);
    entries.next();
    out.raw(entries.raw, NEXT_RESULT_BYTES);
  } else if (op == OP_TAP) {
    const pub = stream.readU32();
    if (!stream.ok) return BAD;
    handle(out, new Publisher(<i32>pub).subscribers().handle);
  } else if (op == OP_TRAP) {
    unreachable();
  } else if (op == OP_FAIL) {
    return "probe failed";
  } else if (op == OP_ALLOC) {
    const size = stream.readU32();
    if (!stream.ok) return BAD;
    // Through the allocator, so later allocations (this output, call inputs) stay clear of it.
    out.u32(<u32>heap.alloc(<usize>size));
  } else if (op == OP_SUB_CLONE) {
    const sub = stream.readU32();
    if (!stream.ok) return BAD;
    handle(out, new Subscriber(<i32>sub).clone().handle);
  } else if (op == OP_PUB_STREAM) {
    const pub = stream.readU32();
    if (!stream.ok) return BAD;
    handle(out, new Publisher(<i32>pub).getStream().handle);
  } else if (op == OP_DROP_PUBLISHER) {
    const pub = stream.readU32();
    if (!stream.ok) return BAD;
    new Publisher(<i32>pub).drop();
  } else if (op == OP_DROP_SUBSCRIBER) {
    const sub = stream.readU32();
    if (!stream.ok) return BAD;
    new Subscriber(<i32>sub).drop();
  } else if (op == OP_DROP_STREAM) {
    const h = stream.readU32();
    if (!stream.ok) return BAD;
    new BlockStream(<i32>h).drop();
  } else if (op == OP_SUBSCRIBE || op == OP_UNSUBSCRIBE) {
    const id = stream.readBytes(INSTANCE_ID_BYTES);
    if (!stream.ok) return BAD;
    handle(out, op == OP_SUBSCRIBE ? Subscriber.subscribe(id) : Subscriber.unsubscribe(id));
  } else {
    return BAD;
  }
  return null;
}

export function run(input: i64): i64 {
  const stream = new InputStream(input);
  if (!stream.ok) return runError("the input buffer has no length header");
  const out = new Output(256);
  while (stream.position < stream.total) {
    const at = stream.position;
    const failure = step(stream, out);
    if (failure === null) continue;
    return runError(failure == BAD ? "bad script at byte " + at.toString() : failure);
  }
  return runOkOutput(out);
}
