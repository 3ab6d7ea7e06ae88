// Splits a core module into its sections and reads the declarations the
// rewriter depends on (types, imports, functions, memories, globals). Features
// it cannot meter are refused here by name, before any code is touched.
import { BinaryReader } from "./binary-reader.js";
import { valueType } from "./instruction-decoder.js";
import { METER_MODULE } from "./metering-abi.js";
import { unsupported } from "./unsupported-feature.js";

export interface Section {
  id: number;
  payloadStart: number;
  payloadEnd: number;
}

export interface FunctionType {
  params: number;
  /** Result value types as their type bytes. */
  results: number[];
}

export interface ModuleLayout {
  sections: Section[];
  types: FunctionType[];
  importedFunctions: number;
  importedGlobals: number;
  definedGlobals: number;
  /** Type index of every defined function. */
  functionTypes: number[];
}

export const SectionId = {
  CUSTOM: 0,
  TYPE: 1,
  IMPORT: 2,
  FUNCTION: 3,
  TABLE: 4,
  MEMORY: 5,
  GLOBAL: 6,
  EXPORT: 7,
  START: 8,
  ELEMENT: 9,
  CODE: 10,
  DATA: 11,
  DATA_COUNT: 12,
  TAG: 13,
} as const;

/** Where each known section must sit (the tag and data-count sections are out of numeric order). */
export const SECTION_RANK: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

const FUNC_FORM = 0x60;
const LIMIT_HAS_MAX = 0x01;
const LIMIT_SHARED = 0x02;
const LIMIT_64 = 0x04;

export function readLayout(bytes: Uint8Array): ModuleLayout {
  const layout: ModuleLayout = {
    sections: [],
    types: [],
    importedFunctions: 0,
    importedGlobals: 0,
    definedGlobals: 0,
    functionTypes: [],
  };
  let memories = 0;
  const top = new BinaryReader(bytes, 8, bytes.length);
  while (!top.done) {
    const id = top.byte();
    const size = top.u32();
    const section = { id, payloadStart: top.pos, payloadEnd: top.pos + size };
    top.skip(size);
    layout.sections.push(section);
    const r = new BinaryReader(bytes, section.payloadStart, section.payloadEnd);
    switch (id) {
      case SectionId.TYPE:
        for (let n = r.u32(); n > 0; n--) layout.types.push(functionType(r));
        break;
      case SectionId.IMPORT:
        for (let n = r.u32(); n > 0; n--) {
          const at = r.pos;
          const module = r.name();
          if (module === METER_MODULE)
            throw unsupported("reserved-name", `the reserved import module "${module}"`, at);
          r.skipName();
          const kind = r.byte();
          if (kind === 0) {
            r.u32();
            layout.importedFunctions++;
          } else if (kind === 1) {
            tableType(r);
          } else if (kind === 2) {
            limits(r, "memory");
            memories++;
          } else if (kind === 3) {
            valueType(r);
            r.byte();
            layout.importedGlobals++;
          } else if (kind === 4) {
            throw unsupported("exception-handling", "an imported tag", at);
          } else r.fail(`unknown import kind ${kind}`);
        }
        break;
      case SectionId.FUNCTION:
        for (let n = r.u32(); n > 0; n--) layout.functionTypes.push(r.u32());
        break;
      case SectionId.TABLE:
        for (let n = r.u32(); n > 0; n--) {
          if (r.bytes[r.pos] === 0x40) throw unsupported("function-references", "a table initializer", r.pos);
          tableType(r);
        }
        break;
      case SectionId.MEMORY:
        for (let n = r.u32(); n > 0; n--) {
          limits(r, "memory");
          memories++;
        }
        break;
      case SectionId.GLOBAL:
        layout.definedGlobals = r.u32();
        break;
      case SectionId.TAG:
        throw unsupported("exception-handling", "a tag section", section.payloadStart);
    }
  }
  if (memories > 1) throw unsupported("multi-memory", `${memories} memories`, 8);
  return layout;
}

function functionType(r: BinaryReader): FunctionType {
  const at = r.pos;
  const form = r.byte();
  if (form !== FUNC_FORM) throw unsupported("gc", `a type of form 0x${form.toString(16)}`, at);
  let params = 0;
  for (let n = r.u32(); n > 0; n--, params++) valueType(r);
  const results: number[] = [];
  for (let n = r.u32(); n > 0; n--) results.push(valueType(r));
  return { params, results };
}

function tableType(r: BinaryReader): void {
  valueType(r);
  limits(r, "table");
}

function limits(r: BinaryReader, what: "memory" | "table"): void {
  const at = r.pos;
  const flags = r.byte();
  if (flags & LIMIT_64) throw unsupported("memory64", `a 64-bit ${what}`, at);
  if (flags & LIMIT_SHARED) throw unsupported("threads", "a shared memory", at);
  r.u32();
  if (flags & LIMIT_HAS_MAX) r.u32();
}
