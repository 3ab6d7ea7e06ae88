// Instruments one function body: fuel charged at entry and at the start of
// every metered block (every loop iteration pays), bulk operations charged by
// their operand, a call-depth counter decremented at entry and restored on
// every exit path, and function indices shifted past the added import.
//
// Blocks: a segment starts at the body's start and after every loop, if, else,
// end, br, br_table, return and unreachable; code is only ever entered at one of
// those points, so each executed instruction has paid at its segment's start.
// The body is wrapped in a block so a branch to the function's own label still
// runs the depth restore on its way out.
import { BinaryReader } from "./binary-reader.js";
import type { BinaryWriter } from "./binary-writer.js";
import { GUEST_COST } from "./fuel-costs.js";
import { decodeInstruction, Kind, valueType, type InstructionKind } from "./instruction-decoder.js";

export interface FunctionContext {
  fuelGlobal: number;
  depthGlobal: number;
  refuelFunction: number;
  /** Function indices at or above this move up by one (the refuel import took their place). */
  firstDefinedFunction: number;
  params: number;
  /** Encoded block type of the wrapper block: the function's results. */
  resultBlockType: ArrayLike<number>;
}

const I32_CONST = 0x41;
const I64_CONST = 0x42;
const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const LOCAL_GET = 0x20;
const LOCAL_TEE = 0x22;
const BLOCK = 0x02;
const IF = 0x04;
const END = 0x0b;
const CALL = 0x10;
const VOID = 0x40;

// Decoded instructions of the current function, reused across functions.
let starts = new Int32Array(4096);
let ends = new Int32Array(4096);
let kinds = new Uint8Array(4096);
let indices = new Int32Array(4096);
/** Fuel to charge before instruction i (0: no charge point). */
let charges = new Float64Array(4096);

function grow(): void {
  const size = starts.length * 2;
  const more = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
    const next = make(size);
    next.set(a);
    return next;
  };
  starts = more(starts, (n) => new Int32Array(n));
  ends = more(ends, (n) => new Int32Array(n));
  kinds = more(kinds, (n) => new Uint8Array(n));
  indices = more(indices, (n) => new Int32Array(n));
  charges = more(charges, (n) => new Float64Array(n));
}

function costOf(kind: InstructionKind): number {
  if (kind === Kind.CALL) return GUEST_COST.call;
  if (kind === Kind.CALL_INDIRECT) return GUEST_COST.callIndirect;
  return GUEST_COST.instruction;
}

function endsSegment(kind: InstructionKind): boolean {
  return (
    kind === Kind.LOOP ||
    kind === Kind.IF ||
    kind === Kind.ELSE ||
    kind === Kind.END ||
    kind === Kind.BR ||
    kind === Kind.BR_TABLE ||
    kind === Kind.RETURN ||
    kind === Kind.UNREACHABLE
  );
}

/** Writes the instrumented body (locals and code, without its size prefix) to `out`. */
export function meterFunction(
  bytes: Uint8Array,
  bodyStart: number,
  bodyEnd: number,
  ctx: FunctionContext,
  out: BinaryWriter,
): void {
  const r = new BinaryReader(bytes, bodyStart, bodyEnd);
  const groups = r.u32();
  let locals = 0;
  for (let i = 0; i < groups; i++) {
    locals += r.u32();
    valueType(r);
  }
  const localsEnd = r.pos;

  // Pass 1: decode, and price each segment at its first instruction.
  const slot = { index: 0 };
  let count = 0;
  let segmentStart = 0;
  let segmentCost = 0;
  let needsScratch = false;
  while (!r.done) {
    if (count === starts.length) grow();
    starts[count] = r.pos;
    const kind = decodeInstruction(r, slot);
    ends[count] = r.pos;
    kinds[count] = kind;
    indices[count] = slot.index;
    charges[count] = 0;
    if (kind >= Kind.BULK_BYTES) needsScratch = true;
    segmentCost += costOf(kind);
    count++;
    if (endsSegment(kind)) {
      charges[segmentStart] = segmentCost + GUEST_COST.blockEntry;
      segmentStart = count;
      segmentCost = 0;
    }
  }
  if (count === 0 || kinds[count - 1] !== Kind.END) r.fail("function body does not end with end");

  const scratch = ctx.params + locals;
  const fuel = ctx.fuelGlobal;
  const charge = (cost: number) => {
    out.byte(GLOBAL_GET);
    out.u32(fuel);
    out.byte(I64_CONST);
    out.s64(cost);
    out.byte(0x7d); // i64.sub
    out.byte(GLOBAL_SET);
    out.u32(fuel);
    refuelIfSpent();
  };
  const refuelIfSpent = () => {
    out.byte(GLOBAL_GET);
    out.u32(fuel);
    out.byte(I64_CONST);
    out.byte(0);
    out.byte(0x53); // i64.lt_s
    out.byte(IF);
    out.byte(VOID);
    out.byte(CALL);
    out.u32(ctx.refuelFunction);
    out.byte(END);
  };
  // Charges the i32 count on top of the stack, scaled by 2^shift (negative: divided), leaving it in place.
  const chargeOperand = (shift: number) => {
    out.byte(LOCAL_TEE);
    out.u32(scratch);
    out.byte(GLOBAL_GET);
    out.u32(fuel);
    out.byte(LOCAL_GET);
    out.u32(scratch);
    out.byte(0xad); // i64.extend_i32_u
    if (shift !== 0) {
      out.byte(I64_CONST);
      out.s64(Math.abs(shift));
      out.byte(shift > 0 ? 0x86 : 0x88); // i64.shl / i64.shr_u
    }
    out.byte(0x7d); // i64.sub
    out.byte(GLOBAL_SET);
    out.u32(fuel);
    refuelIfSpent();
  };
  const depthStep = (delta: 1 | -1) => {
    out.byte(GLOBAL_GET);
    out.u32(ctx.depthGlobal);
    out.byte(I32_CONST);
    out.byte(1);
    out.byte(delta > 0 ? 0x6a : 0x6b); // i32.add / i32.sub
    out.byte(GLOBAL_SET);
    out.u32(ctx.depthGlobal);
  };

  // Pass 2: emit.
  if (needsScratch) {
    out.u32(groups + 1);
    out.bytes(bytes.subarray(bodyStart + u32Bytes(bytes, bodyStart), localsEnd));
    out.byte(1);
    out.byte(0x7f);
  } else {
    out.bytes(bytes.subarray(bodyStart, localsEnd));
  }
  depthStep(-1);
  out.byte(GLOBAL_GET);
  out.u32(ctx.depthGlobal);
  out.byte(I32_CONST);
  out.byte(0);
  out.byte(0x48); // i32.lt_s
  out.byte(IF);
  out.byte(VOID);
  out.byte(0x00); // unreachable: the host reads the depth global and reports the stack limit
  out.byte(END);
  out.byte(BLOCK);
  out.bytes(ctx.resultBlockType);

  let copyFrom = starts[0] as number;
  const flush = (upTo: number) => {
    if (upTo > copyFrom) out.bytes(bytes.subarray(copyFrom, upTo));
  };
  for (let i = 0; i < count; i++) {
    const cost = charges[i] as number;
    const kind = kinds[i] as InstructionKind;
    const start = starts[i] as number;
    if (
      cost === 0 &&
      kind !== Kind.CALL &&
      kind !== Kind.REF_FUNC &&
      kind !== Kind.RETURN &&
      kind < Kind.BULK_BYTES
    ) {
      continue;
    }
    flush(start);
    copyFrom = start;
    if (cost !== 0) charge(cost);
    switch (kind) {
      case Kind.CALL:
      case Kind.REF_FUNC: {
        const index = indices[i] as number;
        out.byte(bytes[start] as number);
        out.u32(index >= ctx.firstDefinedFunction ? index + 1 : index);
        copyFrom = ends[i] as number;
        break;
      }
      case Kind.RETURN:
        depthStep(1);
        break;
      case Kind.BULK_BYTES:
        chargeOperand(-GUEST_COST.bulkByteShift);
        break;
      case Kind.GROW_PAGES:
        chargeOperand(GUEST_COST.growPageShift);
        break;
      case Kind.BULK_ELEMENTS:
        chargeOperand(GUEST_COST.tableElementShift);
        break;
    }
  }
  flush(bodyEnd);
  depthStep(1);
  out.byte(END);
}

/** Byte length of the LEB128 at `at`. */
function u32Bytes(bytes: Uint8Array, at: number): number {
  let n = 1;
  while (((bytes[at + n - 1] as number) & 0x80) !== 0) n++;
  return n;
}
