// Decodes one instruction of a function body with all its immediates: MVP,
// sign-extension, saturating float-to-int, bulk memory, reference types,
// multi-value and SIMD. Anything else (threads, exceptions, GC, tail calls,
// relaxed SIMD, a second memory) is refused by name: the metering rewriter
// must understand every instruction it charges for.
import type { BinaryReader } from "./binary-reader.js";
import { unsupported, type WasmFeature } from "./unsupported-feature.js";

/** What the rewriter needs to know about an instruction. */
export const Kind = {
  PLAIN: 0,
  BLOCK: 1,
  LOOP: 2,
  IF: 3,
  ELSE: 4,
  END: 5,
  BR: 6,
  BR_IF: 7,
  BR_TABLE: 8,
  RETURN: 9,
  UNREACHABLE: 10,
  /** `call f`: its function index is renumbered. */
  CALL: 11,
  CALL_INDIRECT: 12,
  /** `ref.func f`: its function index is renumbered. */
  REF_FUNC: 13,
  /** memory.fill / memory.copy / memory.init: charged by the byte count on top of the stack. */
  BULK_BYTES: 14,
  /** memory.grow: charged by the page count on top of the stack. */
  GROW_PAGES: 15,
  /** table.fill / table.copy / table.init: charged by the element count on top. */
  BULK_ELEMENTS: 16,
  /** table.grow: charged by the element count on top, once it succeeded. */
  GROW_ELEMENTS: 17,
} as const;

export type InstructionKind = (typeof Kind)[keyof typeof Kind];

const VALUE_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);
// (ref null ht), (ref ht), and the GC proposal's shorthands: anyref, eqref, i31ref, structref,
// arrayref, nullref, nullexternref, nullfuncref; exnref and nullexnref belong to exception handling.
const GC_REFERENCE_TYPES = new Set([0x63, 0x64, 0x6e, 0x6d, 0x6c, 0x6b, 0x6a, 0x71, 0x72, 0x73]);
const EXCEPTION_REFERENCE_TYPES = new Set([0x69, 0x74]);

/** Refuses a type byte that belongs to a feature the rewriter does not meter. */
function refuseReferenceType(type: number | undefined, at: number): void {
  if (type === undefined) return;
  if (GC_REFERENCE_TYPES.has(type)) throw unsupported("gc", "a GC reference type", at);
  if (EXCEPTION_REFERENCE_TYPES.has(type))
    throw unsupported("exception-handling", "an exception reference", at);
}

const SINGLE_BYTE_REFUSED = new Map<number, [WasmFeature, string]>([
  [0x06, ["exception-handling", "try"]],
  [0x07, ["exception-handling", "catch"]],
  [0x08, ["exception-handling", "throw"]],
  [0x09, ["exception-handling", "rethrow"]],
  [0x0a, ["exception-handling", "throw_ref"]],
  [0x18, ["exception-handling", "delegate"]],
  [0x19, ["exception-handling", "catch_all"]],
  [0x1f, ["exception-handling", "try_table"]],
  [0x12, ["tail-call", "return_call"]],
  [0x13, ["tail-call", "return_call_indirect"]],
  [0x14, ["function-references", "call_ref"]],
  [0x15, ["function-references", "return_call_ref"]],
  [0xd3, ["gc", "ref.eq"]],
  [0xd4, ["function-references", "ref.as_non_null"]],
  [0xd5, ["function-references", "br_on_null"]],
  [0xd6, ["function-references", "br_on_non_null"]],
  [0xfb, ["gc", "a GC instruction"]],
  [0xfe, ["threads", "an atomic instruction"]],
]);

/** Reads a block type: empty, one value type, or a type index (multi-value). */
export function skipBlockType(r: BinaryReader): void {
  const first = r.bytes[r.pos];
  if (first === 0x40 || (first !== undefined && VALUE_TYPES.has(first))) {
    r.pos++;
    return;
  }
  refuseReferenceType(first, r.pos);
  if (r.s33() < 0) r.fail("bad block type");
}

/** A value type byte (locals, typed select). */
export function valueType(r: BinaryReader): number {
  const at = r.pos;
  const type = r.byte();
  if (VALUE_TYPES.has(type)) return type;
  refuseReferenceType(type, at);
  return r.fail(`unknown value type 0x${type.toString(16)}`);
}

function memoryIndex(r: BinaryReader): void {
  const at = r.pos;
  if (r.u32() !== 0) throw unsupported("multi-memory", "a second memory", at);
}

function memarg(r: BinaryReader): void {
  const at = r.pos;
  const align = r.u32();
  if (align & 0x40) {
    if (r.u32() !== 0) throw unsupported("multi-memory", "a second memory", at);
  }
  r.u32();
}

/**
 * Reads the instruction at `r.pos` (advancing past it) and returns its kind;
 * for CALL and REF_FUNC, `out.index` is the function index.
 */
export function decodeInstruction(r: BinaryReader, out: { index: number }): InstructionKind {
  const at = r.pos;
  const op = r.byte();
  if (op >= 0x45 && op <= 0xc4) return Kind.PLAIN; // numeric, sign-extension: no immediates
  if (op >= 0x28 && op <= 0x3e) {
    memarg(r);
    return Kind.PLAIN;
  }
  switch (op) {
    case 0x00:
      return Kind.UNREACHABLE;
    case 0x01:
    case 0x1a:
    case 0x1b:
    case 0xd1:
      return Kind.PLAIN;
    case 0x02:
      skipBlockType(r);
      return Kind.BLOCK;
    case 0x03:
      skipBlockType(r);
      return Kind.LOOP;
    case 0x04:
      skipBlockType(r);
      return Kind.IF;
    case 0x05:
      return Kind.ELSE;
    case 0x0b:
      return Kind.END;
    case 0x0c:
      r.u32();
      return Kind.BR;
    case 0x0d:
      r.u32();
      return Kind.BR_IF;
    case 0x0e:
      for (let n = r.u32(); n >= 0; n--) r.u32(); // n labels plus the default
      return Kind.BR_TABLE;
    case 0x0f:
      return Kind.RETURN;
    case 0x10:
      out.index = r.u32();
      return Kind.CALL;
    case 0x11:
      r.u32();
      r.u32();
      return Kind.CALL_INDIRECT;
    case 0x1c:
      for (let n = r.u32(); n > 0; n--) valueType(r);
      return Kind.PLAIN;
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x26:
      r.u32();
      return Kind.PLAIN;
    case 0x3f:
      memoryIndex(r);
      return Kind.PLAIN;
    case 0x40:
      memoryIndex(r);
      return Kind.GROW_PAGES;
    case 0x41:
    case 0x42:
      r.skipLeb();
      return Kind.PLAIN;
    case 0x43:
      r.skip(4);
      return Kind.PLAIN;
    case 0x44:
      r.skip(8);
      return Kind.PLAIN;
    case 0xd0: {
      const type = r.byte();
      if (type !== 0x70 && type !== 0x6f) throw unsupported("gc", "a GC heap type", at);
      return Kind.PLAIN;
    }
    case 0xd2:
      out.index = r.u32();
      return Kind.REF_FUNC;
    case 0xfc:
      return decodeFc(r, at);
    case 0xfd:
      return decodeSimd(r, at);
  }
  const refused = SINGLE_BYTE_REFUSED.get(op);
  if (refused) throw unsupported(refused[0], refused[1], at);
  throw unsupported("unknown-opcode", `opcode 0x${op.toString(16)}`, at);
}

function decodeFc(r: BinaryReader, at: number): InstructionKind {
  const sub = r.u32();
  if (sub <= 7) return Kind.PLAIN; // saturating float-to-int
  switch (sub) {
    case 8: // memory.init data mem
      r.u32();
      memoryIndex(r);
      return Kind.BULK_BYTES;
    case 9: // data.drop
    case 13: // elem.drop
    case 16: // table.size
      r.u32();
      return Kind.PLAIN;
    case 10: // memory.copy dst src
      memoryIndex(r);
      memoryIndex(r);
      return Kind.BULK_BYTES;
    case 11: // memory.fill
      memoryIndex(r);
      return Kind.BULK_BYTES;
    case 12: // table.init elem table
    case 14: // table.copy dst src
      r.u32();
      r.u32();
      return Kind.BULK_ELEMENTS;
    case 15: // table.grow
      r.u32();
      return Kind.GROW_ELEMENTS;
    case 17: // table.fill
      r.u32();
      return Kind.BULK_ELEMENTS;
  }
  if (sub >= 19 && sub <= 22) throw unsupported("wide-arithmetic", "128-bit arithmetic", at);
  throw unsupported("unknown-opcode", `opcode 0xfc ${sub}`, at);
}

function decodeSimd(r: BinaryReader, at: number): InstructionKind {
  const sub = r.u32();
  if (sub <= 11 || sub === 92 || sub === 93) memarg(r); // loads, stores, load_zero
  else if (sub === 12 || sub === 13) r.skip(16); // v128.const, i8x16.shuffle
  else if (sub >= 21 && sub <= 34) r.skip(1); // extract_lane / replace_lane
  else if (sub >= 84 && sub <= 91) {
    memarg(r); // load_lane / store_lane
    r.skip(1);
  } else if (sub >= 0x100 && sub <= 0x113) {
    throw unsupported("relaxed-simd", "a relaxed SIMD instruction (not deterministic)", at);
  } else if (sub > 255) throw unsupported("unknown-opcode", `opcode 0xfd ${sub}`, at);
  return Kind.PLAIN;
}
