// A work journal in a fabric memory lease, driven through the generic `run`
// entry. Lease writes are durable as soon as they return, so a run that traps
// halfway leaves the journal at its last committed step and a later run
// resumes from there. See ../README.md for the protocol and the lease layout.
import {
  FabricMem,
  InputStream,
  LEASE_ID_BYTES,
  LeaseStatus,
  MemBuilder,
  MemLease,
  Output,
  runError,
  runOkOutput,
} from "../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../sdk/assembly/index";

// ---- lease layout ----

/** Header at offset 0: magic u32, steps done u32, accumulator u64. */
const MAGIC: u32 = 0x4c4e524a; // "JRNL"
const H_MAGIC: usize = 0;
const H_STEPS: usize = 4;
const H_ACC: usize = 8;
const HEADER_BYTES: u32 = 16;
/** Record i at 16 + i * 12: step index u32, step value u64. */
const RECORD_BYTES: u32 = 12;
const MIN_LEASE_BYTES: u64 = 64 * 1024;
/** The accumulator before any step: the FNV-1a 64 offset basis. */
const ACC_START: u64 = 0xcbf29ce484222325;
const FNV_PRIME: u64 = 0x100000001b3;

// ---- protocol ----

const OP_START: u8 = 1;
const OP_RESUME: u8 = 2;
const OP_STATUS: u8 = 3;
const OP_FREE: u8 = 4;

const HEADER: usize = memory.data(<i32>HEADER_BYTES, 8);
const RECORD: usize = memory.data(<i32>RECORD_BYTES, 8);
const ID: usize = memory.data(<i32>LEASE_ID_BYTES, 8);

/** Step i's value: splitmix64's finaliser of i + 1. */
function stepValue(i: u32): u64 {
  let z = (<u64>i + 1) * 0x9e3779b97f4a7c15;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** Folds one step value into the accumulator (FNV-1a over 64-bit words). */
function fold(acc: u64, value: u64): u64 {
  return (acc ^ value) * FNV_PRIME;
}

function recordOffset(i: u32): u64 {
  return <u64>HEADER_BYTES + <u64>i * <u64>RECORD_BYTES;
}

let stepsDone: u32 = 0;
let acc: u64 = ACC_START;

function writeHeader(lease: MemLease): i32 {
  store<u32>(HEADER, MAGIC, H_MAGIC);
  store<u32>(HEADER, stepsDone, H_STEPS);
  store<u64>(HEADER, acc, H_ACC);
  return lease.mem().write(0, HEADER, HEADER_BYTES);
}

/** Reads the header into stepsDone/acc; 1 ok, 0 not a journal, negative FbmuStatus. */
function readHeader(lease: MemLease): i32 {
  const moved = lease.mem().read(0, HEADER, HEADER_BYTES);
  if (moved < 0) return moved;
  if (load<u32>(HEADER, H_MAGIC) != MAGIC) return 0;
  stepsDone = load<u32>(HEADER, H_STEPS);
  acc = load<u64>(HEADER, H_ACC);
  return 1;
}

/**
 * Performs steps stepsDone..steps-1. Each step writes its record, then the
 * header (the commit point: a trap between the two only makes a resume
 * rewrite the same record). Traps once stepsDone reaches crashAfter (> 0).
 */
function work(lease: MemLease, steps: u32, crashAfter: u32): string | null {
  const arena = lease.info().arenaSize;
  if (steps > stepsDone && recordOffset(steps) > arena) {
    return "journal full: " + steps.toString() + " steps need " + recordOffset(steps).toString() + " bytes, the lease has " + arena.toString();
  }
  while (stepsDone < steps) {
    const i = stepsDone;
    const value = stepValue(i);
    store<u32>(RECORD, i);
    store<u64>(RECORD, value, 4);
    let status = lease.mem().write(recordOffset(i), RECORD, RECORD_BYTES);
    if (status < 0) return "step " + i.toString() + ": fbmu_write_lease failed: " + FabricMem.statusName(status);
    acc = fold(acc, value);
    stepsDone = i + 1;
    status = writeHeader(lease);
    if (status < 0) return "step " + i.toString() + ": fbmu_write_lease failed: " + FabricMem.statusName(status);
    if (crashAfter > 0 && stepsDone == crashAfter) unreachable();
  }
  return null;
}

function progress(lease: MemLease): i64 {
  const out = new Output(28);
  out.raw(lease.id, LEASE_ID_BYTES).u32(stepsDone).u64(acc);
  return runOkOutput(out);
}

function start(steps: u32, leaseSecs: u32, crashAfter: u32): i64 {
  const need = recordOffset(steps);
  const lease = new MemBuilder()
    .minBytes(need > MIN_LEASE_BYTES ? need : MIN_LEASE_BYTES)
    .leaseSecs(<u64>leaseSecs)
    .acquire();
  if (lease === null) return runError("fbmu_alloc failed: " + FabricMem.statusName(MemBuilder.lastStatus));
  stepsDone = 0;
  acc = ACC_START;
  const status = writeHeader(lease);
  if (status < 0) return runError("fbmu_write_lease failed: " + FabricMem.statusName(status));
  const failure = work(lease, steps, crashAfter);
  return failure !== null ? runError(failure) : progress(lease);
}

function resume(steps: u32, crashAfter: u32): i64 {
  const lease = MemBuilder.attach(ID);
  if (lease === null) return runError("cannot attach the lease: " + FabricMem.statusName(MemBuilder.lastStatus));
  const header = readHeader(lease);
  if (header < 0) return runError("fbmu_read_lease failed: " + FabricMem.statusName(header));
  if (header == 0) return runError("the lease does not hold a work journal");
  const failure = work(lease, steps, crashAfter);
  return failure !== null ? runError(failure) : progress(lease);
}

function status(): i64 {
  const info = FabricMem.query(ID);
  if (info === null) return runError("fbmu_query failed: " + FabricMem.statusName(MemBuilder.lastStatus));
  // Only an Active lease can be read; readHeader leaves these alone unless it finds a journal.
  stepsDone = 0;
  acc = 0;
  if (info.status == LeaseStatus.Active) readHeader(MemLease.wrap(ID));
  const out = new Output(13);
  out.u8(info.status).u32(stepsDone).u64(acc);
  return runOkOutput(out);
}

function free(): i64 {
  const out = new Output(4);
  out.u32(<u32>MemLease.wrap(ID).free());
  return runOkOutput(out);
}

export function run(input: i64): i64 {
  stepsDone = 0;
  acc = ACC_START;
  const stream = new InputStream(input);
  if (!stream.ok) return runError("the input buffer has no length header");
  const op = stream.readU8();
  if (!stream.ok) return runError("empty request");
  let expected: u32;
  if (op == OP_START) expected = 13;
  else if (op == OP_RESUME) expected = 25;
  else if (op == OP_STATUS || op == OP_FREE) expected = 17;
  else return runError("unknown op " + op.toString());
  if (stream.total != expected) {
    return runError("op " + op.toString() + " takes " + expected.toString() + " bytes, got " + stream.total.toString());
  }
  if (op != OP_START) stream.readExact(ID, LEASE_ID_BYTES);
  if (op == OP_START) {
    const steps = stream.readU32();
    const leaseSecs = stream.readU32();
    const crashAfter = stream.readU32();
    if (!stream.ok) return runError("input truncated by the host");
    return start(steps, leaseSecs, crashAfter);
  }
  if (op == OP_RESUME) {
    const steps = stream.readU32();
    const crashAfter = stream.readU32();
    if (!stream.ok) return runError("input truncated by the host");
    return resume(steps, crashAfter);
  }
  if (!stream.ok) return runError("input truncated by the host");
  return op == OP_STATUS ? status() : free();
}
