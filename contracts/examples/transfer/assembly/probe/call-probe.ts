// Test entry for the edge_call tests; the build compiles it to
// build/contracts/call-probe.wasm (and, exporting edge_reentrant as well,
// call-probe-reentrant.ts to call-probe-reentrant.wasm). The request body is
// a script of ops run in order; the response is the concatenation of their
// outputs. A probe can CALL another probe with a script of its own, so one
// request drives a whole call tree. Integers are little-endian; statuses are
// i32. test/workers/support/call-script.ts builds the scripts.
//
//   0x01 MAP [off u32][len u32]          Storage.map(area, off, len) -> [status]
//   0x02 POKE [at u32][len u16][bytes]   bytes into area[at..]       -> nothing
//   0x03 PEEK [at u32][len u16]          area[at, +len)              -> [bytes]
//   0x04 WRITE [off u32][len u16][bytes] Storage.write               -> [status]
//   0x05 READ [off u32][len u16]         Storage.read                -> [status][len bytes, zero on failure]
//   0x06 CALL [id 32][len u32][input]    Call.invoke                 -> [status][size u32][answer]
//   0x07 TRAP                            unreachable
//   0x08 SPIN [n u32]                    n rounds of work, to burn fuel
//   0x09 FAIL                            runError("probe failed"), dropping the outputs so far
//   0x0A UNMAP                           Storage.unmap(area)         -> [status]
//   0x0B SYNC                            Storage.sync()              -> [status]
//   0x0C RESULT_EDGE                     call_result_read(area, -1, 1), (area, 0, -1),
//                                        (0xFFFFFFF0, 0, 16), (area, size, 4) -> 4 x [i32]
//
// `area` is one static mapping area of AREA_BYTES (128 KiB + 64: room for a
// mapping across three frames). An unknown op, a truncated script, or a MAP,
// POKE or PEEK beyond the area answers runError("bad script at byte N"), N
// being the offset of the op's first byte.
import {
  Call,
  InputStream,
  INSTANCE_ID_BYTES,
  Output,
  Storage,
  runError,
  runOkOutput,
} from "../../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../../sdk/assembly/index";

const OP_MAP: u8 = 0x01;
const OP_POKE: u8 = 0x02;
const OP_PEEK: u8 = 0x03;
const OP_WRITE: u8 = 0x04;
const OP_READ: u8 = 0x05;
const OP_CALL: u8 = 0x06;
const OP_TRAP: u8 = 0x07;
const OP_SPIN: u8 = 0x08;
const OP_FAIL: u8 = 0x09;
const OP_UNMAP: u8 = 0x0a;
const OP_SYNC: u8 = 0x0b;
const OP_RESULT_EDGE: u8 = 0x0c;

const AREA_BYTES: u32 = 2 * 65536 + 64;
const AREA: usize = memory.data(<i32>AREA_BYTES, 16);
// SPIN's result goes to memory so the optimiser cannot drop the loop.
const SPIN_SINK: usize = memory.data(8, 8);

/** What a step answers for a bad script; run adds where it starts. */
const BAD = "";

function status(out: Output, value: i32): void {
  out.u32(<u32>value);
}

function readU16(stream: InputStream): u32 {
  const lo = <u32>stream.readU8();
  return lo | (<u32>stream.readU8() << 8);
}

function inArea(at: u32, len: u32): bool {
  return <u64>at + <u64>len <= <u64>AREA_BYTES;
}

function spin(n: u32): void {
  let acc = load<u64>(SPIN_SINK);
  for (let i: u32 = 0; i < n; i++) acc = acc * 6364136223846793005 + <u64>i;
  store<u64>(SPIN_SINK, acc);
}

/** Invokes, then appends [status][size][answer]; BAD, or an error message if the answer cannot be read in full. */
function call(stream: InputStream, out: Output): string | null {
  const id = stream.readBytes(INSTANCE_ID_BYTES);
  const len = stream.readU32();
  // Checked before allocating: a bad length must not grow memory.
  if (!stream.ok || len > stream.remaining()) return BAD;
  const input = stream.readBytes(len);
  if (!stream.ok) return BAD;
  const result = Call.invoke(id, input, len);
  status(out, result);
  return Call.appendResult(out);
}

/** Runs one op: null to go on, else BAD or the run's error message. */
function step(stream: InputStream, out: Output): string | null {
  const op = stream.readU8();
  if (!stream.ok) return BAD;
  if (op == OP_MAP) {
    const off = stream.readU32();
    const len = stream.readU32();
    if (!stream.ok || len > AREA_BYTES) return BAD;
    status(out, Storage.map(AREA, <u64>off, len));
  } else if (op == OP_POKE) {
    const at = stream.readU32();
    const len = readU16(stream);
    if (!stream.ok || !inArea(at, len) || !stream.readExact(AREA + <usize>at, len)) return BAD;
  } else if (op == OP_PEEK) {
    const at = stream.readU32();
    const len = readU16(stream);
    if (!stream.ok || !inArea(at, len)) return BAD;
    out.raw(AREA + <usize>at, len);
  } else if (op == OP_WRITE) {
    const off = stream.readU32();
    const len = readU16(stream);
    const bytes = stream.readBytes(len);
    if (!stream.ok) return BAD;
    status(out, Storage.write(<u64>off, bytes, len));
  } else if (op == OP_READ) {
    const off = stream.readU32();
    const len = readU16(stream);
    if (!stream.ok) return BAD;
    const at = out.reserve(4 + len);
    memory.fill(at + 4, 0, len);
    store<i32>(at, Storage.read(at + 4, <u64>off, len));
  } else if (op == OP_CALL) {
    return call(stream, out);
  } else if (op == OP_TRAP) {
    unreachable();
  } else if (op == OP_SPIN) {
    const n = stream.readU32();
    if (!stream.ok) return BAD;
    spin(n);
  } else if (op == OP_FAIL) {
    return "probe failed";
  } else if (op == OP_UNMAP) {
    status(out, Storage.unmap(AREA));
  } else if (op == OP_SYNC) {
    status(out, Storage.sync());
  } else if (op == OP_RESULT_EDGE) {
    const size = Call.resultSize();
    status(out, Call.readResult(AREA, -1, 1));
    status(out, Call.readResult(AREA, 0, -1));
    status(out, Call.readResult(0xfffffff0, 0, 16));
    status(out, Call.readResult(AREA, size, 4));
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
