// Instruments one function body: fuel charged at entry and at the start of
// every metered block (every loop iteration pays), bulk operations charged by
// their operand, a call-depth counter decremented at entry and restored on
// every exit path, and function indices shifted past the added import.
//
// Blocks: a segment starts at the body's start and after every loop, if, else,
// end, br, br_table, return and unreachable; code is only ever entered at one of
// those points, so each executed instruction has paid at its segment's start.
// Small loop-free ifs and blocks fold into the segment around them (FOLD_SPAN).
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

/**
 * An `if` or `block` of at most this many instructions with no loop inside is not a metered block
 * of its own: its cost is charged with the code before it, and the code after it continues that
 * block. Nothing can loop without paying, and a path that skips it pays for at most this many
 * instructions it did not run; tiny branches no longer pay a charge (~8 instructions) each.
 */
const FOLD_SPAN = 32;
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
  // A function that calls nothing cannot nest deeper: it needs no depth counting of its own.
  let calls = false;
  // Open blocks and ifs: where they opened, the segment running then, whether a loop is inside.
  const open: Array<{ at: number; outerStart: number; hasLoop: boolean; loop: boolean; elseAt: number }> = [];
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
    if (kind === Kind.CALL || kind === Kind.CALL_INDIRECT) calls = true;
    segmentCost += costOf(kind);
    const at = count++;
    if (kind === Kind.BLOCK || kind === Kind.IF || kind === Kind.LOOP) {
      if (kind === Kind.LOOP) for (const entry of open) entry.hasLoop = true;
      open.push({ at, outerStart: segmentStart, hasLoop: false, loop: kind === Kind.LOOP, elseAt: -1 });
    } else if (kind === Kind.ELSE && open.length > 0) {
      (open[open.length - 1] as (typeof open)[number]).elseAt = at;
    } else if (kind === Kind.END && open.length > 0) {
      const closed = open.pop() as (typeof open)[number];
      if (!closed.loop && !closed.hasLoop && at - closed.at <= FOLD_SPAN) {
        // Small and loop-free: paid for up front, with the code around it (see FOLD_SPAN);
        // of an if's two arms only one runs, so it pays for the dearer one.
        let arm = 0;
        let other = 0;
        for (let k = closed.at + 1; k <= at; k++) {
          if (closed.elseAt >= 0 && k > closed.elseAt) other += charges[k] as number;
          else arm += charges[k] as number;
          charges[k] = 0;
        }
        if (closed.elseAt >= 0) other += segmentCost;
        else arm += segmentCost;
        segmentCost = (charges[closed.outerStart] as number) + Math.max(arm, other);
        charges[closed.outerStart] = 0;
        segmentStart = closed.outerStart;
        continue;
      }
    }
    if (endsSegment(kind)) {
      charges[segmentStart] = segmentCost;
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
  if (calls) {
    out.bytes(code.depthEnter);
    out.byte(BLOCK);
    out.bytes(ctx.resultBlockType);
  }

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
      (kind !== Kind.RETURN || !calls) &&
      kind < Kind.BULK_BYTES
    ) {
      continue;
    }
    flush(start);
    copyFrom = start;
    if (cost !== 0) code.charge(out, cost + GUEST_COST.blockEntry);
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
        if (calls) out.bytes(code.depthExit);
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
  if (calls) {
    out.bytes(code.depthExit);
    out.byte(END);
  }
}

/** Byte length of the LEB128 at `at`. */
function u32Bytes(bytes: Uint8Array, at: number): number {
  let n = 1;
  while (((bytes[at + n - 1] as number) & 0x80) !== 0) n++;
  return n;
}
