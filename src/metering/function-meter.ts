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
import type { ChargeCode } from "./charge-code.js";
import { GUEST_COST } from "./fuel-costs.js";
import { decodeInstruction, Kind, valueType, type InstructionKind } from "./instruction-decoder.js";

export interface FunctionContext {
  /** The module's charge and depth sequences. */
  code: ChargeCode;
  /** Function indices at or above this move up by one (the refuel import took their place). */
  firstDefinedFunction: number;
  params: number;
  /** Encoded block type of the wrapper block: the function's results. */
  resultBlockType: ArrayLike<number>;
}

const BLOCK = 0x02;
const END = 0x0b;

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
  let grows = false;
  while (!r.done) {
    if (count === starts.length) grow();
    starts[count] = r.pos;
    const kind = decodeInstruction(r, slot);
    ends[count] = r.pos;
    kinds[count] = kind;
    indices[count] = slot.index;
    charges[count] = 0;
    if (kind >= Kind.BULK_BYTES) needsScratch = true;
    if (kind === Kind.GROW_PAGES || kind === Kind.GROW_ELEMENTS) grows = true;
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
  const { code } = ctx;

  // Pass 2: emit.
  if (needsScratch) {
    // One i32 for the operand of a bulk operation, one more for a grow's answer.
    out.u32(groups + 1);
    out.bytes(bytes.subarray(bodyStart + u32Bytes(bytes, bodyStart), localsEnd));
    out.byte(grows ? 2 : 1);
    out.byte(0x7f);
  } else {
    out.bytes(bytes.subarray(bodyStart, localsEnd));
  }
  out.bytes(code.depthEnter);
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
    if (cost !== 0) code.charge(out, cost);
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
        out.bytes(code.depthExit);
        break;
      case Kind.BULK_BYTES:
        code.chargeOperand(out, scratch, -GUEST_COST.bulkByteShift);
        break;
      case Kind.GROW_PAGES:
      case Kind.GROW_ELEMENTS: {
        const memory = kind === Kind.GROW_PAGES;
        const shift = memory ? GUEST_COST.growPageShift : GUEST_COST.tableElementShift;
        code.growThenCharge(
          out,
          bytes.subarray(start, ends[i] as number),
          scratch,
          scratch + 1,
          shift,
          memory,
        );
        copyFrom = ends[i] as number;
        break;
      }
      case Kind.BULK_ELEMENTS:
        code.chargeOperand(out, scratch, GUEST_COST.tableElementShift);
        break;
    }
  }
  flush(bodyEnd);
  out.bytes(code.depthExit);
  out.byte(END);
}

/** Byte length of the LEB128 at `at`. */
function u32Bytes(bytes: Uint8Array, at: number): number {
  let n = 1;
  while (((bytes[at + n - 1] as number) & 0x80) !== 0) n++;
  return n;
}
