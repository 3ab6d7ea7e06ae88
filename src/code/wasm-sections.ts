// Structural decoding of a core WebAssembly module (imports, exports, memories)
// without compiling it, which workerd forbids at run time, and a rewrite that
// caps every defined memory's maximum before the module is loaded. Malformed
// input only ever throws EdgeError INVALID_WASM; full validity is still
// WebAssembly.validate's job (see wasm-check.ts).
import { EdgeError } from "../errors.js";

export type WasmValueType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";
export type WasmExternKind = "func" | "table" | "memory" | "global" | "tag";

export interface WasmSignature {
  params: WasmValueType[];
  results: WasmValueType[];
}

/** Memory limits in 64 KiB pages (32-bit memories only). */
export interface WasmMemoryLimits {
  min: number;
  max?: number;
  shared: boolean;
}

export interface WasmImport {
  module: string;
  name: string;
  kind: WasmExternKind;
  /** For kind "func": the imported function's type. */
  signature?: WasmSignature;
  /** For kind "memory": the limits the import requires. */
  memory?: WasmMemoryLimits;
}

export interface WasmExport {
  name: string;
  kind: WasmExternKind;
  /** Index into the kind's index space (imports first, then definitions). */
  index: number;
  /** For kind "func": the exported function's type. */
  signature?: WasmSignature;
}

/** One entry of the memory index space: imported memories first, then defined ones. */
export interface WasmMemory extends WasmMemoryLimits {
  imported: boolean;
}

export interface WasmModuleInfo {
  imports: WasmImport[];
  exports: WasmExport[];
  memories: WasmMemory[];
}

/** The most pages a 32-bit memory may declare (4 GiB). */
export const WASM_MAX_PAGES = 65536;

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const VALUE_TYPES = new Map<number, WasmValueType>([
  [0x7f, "i32"],
  [0x7e, "i64"],
  [0x7d, "f32"],
  [0x7c, "f64"],
  [0x7b, "v128"],
  [0x70, "funcref"],
  [0x6f, "externref"],
]);
const EXTERN_KINDS: readonly WasmExternKind[] = ["func", "table", "memory", "global", "tag"];
const SECTION_NAMES =
  "custom type import function table memory global export start element code data datacount tag".split(" ");
// Known sections appear at most once and in this order (tag and datacount sit out of numeric order).
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
const FLAG_HAS_MAX = 0x01;
const FLAG_SHARED = 0x02;
const FLAG_64 = 0x04;

const invalid = (message: string) => new EdgeError("INVALID_WASM", message);
const hex = (byte: number) => `0x${byte.toString(16).padStart(2, "0")}`;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
    readonly where: string,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(message: string, at = this.pos): never {
    throw invalid(`${this.where}: ${message} at byte ${at}`);
  }

  byte(what: string): number {
    const value = this.pos < this.end ? this.bytes[this.pos] : undefined;
    if (value === undefined) this.fail(`unexpected end reading ${what}`);
    this.pos++;
    return value;
  }

  /** Unsigned LEB128, at most 5 bytes and at most 2^32 - 1. */
  u32(what: string): number {
    const start = this.pos;
    let result = 0;
    for (let i = 0; i < 5; i++) {
      const value = this.pos < this.end ? this.bytes[this.pos] : undefined;
      if (value === undefined) this.fail(`truncated LEB128 ${what} starting`, start);
      this.pos++;
      result += (value & 0x7f) * 2 ** (7 * i);
      if ((value & 0x80) === 0) {
        if (i === 4 && value > 0x0f) this.fail(`LEB128 ${what} exceeds 32 bits`, start);
        return result;
      }
    }
    return this.fail(`LEB128 ${what} is longer than 5 bytes`, start);
  }

  /** A vector length, refused up front when its entries (1+ byte each) cannot fit. */
  count(what: string): number {
    const at = this.pos;
    const n = this.u32(`${what} count`);
    if (n > this.remaining) this.fail(`${n} ${what} declared but only ${this.remaining} bytes remain`, at);
    return n;
  }

  name(what: string): string {
    const at = this.pos;
    const length = this.u32(`${what} length`);
    if (length > this.remaining) this.fail(`${what} of ${length} bytes overruns the end (${this.end})`, at);
    this.pos += length;
    try {
      return utf8.decode(this.bytes.subarray(this.pos - length, this.pos));
    } catch {
      return this.fail(`${what} is not valid UTF-8`, at);
    }
  }

  /** A byte that `lookup` must map to a value. */
  code<T>(what: string, lookup: (code: number) => T | undefined): T {
    const at = this.pos;
    const code = this.byte(what);
    const value = lookup(code);
    if (value === undefined) this.fail(`unsupported ${what} ${hex(code)}`, at);
    return value;
  }

  valueType(what: string): WasmValueType {
    return this.code(what, (c) => VALUE_TYPES.get(c));
  }

  kind(what: string): WasmExternKind {
    return this.code(`${what} kind`, (c) => EXTERN_KINDS[c]);
  }

  limits(kind: "memory" | "table", what: string): Limits {
    const start = this.pos;
    const flags = this.byte(`${what} limits flags`);
    if (flags & FLAG_64)
      this.fail(
        `${what} is 64-bit; only 32-bit ${kind === "memory" ? "memories" : "tables"} are supported`,
        start,
      );
    if (flags & ~(kind === "memory" ? FLAG_HAS_MAX | FLAG_SHARED : FLAG_HAS_MAX)) {
      this.fail(`${what} has unknown limits flags ${hex(flags)}`, start);
    }
    const minStart = this.pos;
    const min = this.u32(`${what} minimum`);
    const minEnd = this.pos;
    const max = flags & FLAG_HAS_MAX ? this.u32(`${what} maximum`) : undefined;
    return { flags, min, max, start, minStart, minEnd, end: this.pos };
  }
}

interface Limits {
  flags: number;
  min: number;
  max: number | undefined;
  /** Byte offsets in the module: flags byte, minimum LEB, end of the entry. */
  start: number;
  minStart: number;
  minEnd: number;
  end: number;
}

interface MemorySection {
  start: number;
  payloadStart: number;
  payloadEnd: number;
  /** Offset just after the entry count (the count's bytes are kept as they are). */
  countEnd: number;
  firstIndex: number;
  entries: Limits[];
}

const toMemory = ({ flags, min, max }: Limits, imported: boolean): WasmMemory => ({
  min,
  ...(max === undefined ? {} : { max }),
  shared: (flags & FLAG_SHARED) !== 0,
  imported,
});
const limitsOf = ({ imported: _, ...limits }: WasmMemory): WasmMemoryLimits => limits;
const copy = (s: WasmSignature): WasmSignature => ({ params: [...s.params], results: [...s.results] });

function walk(bytes: Uint8Array): { info: WasmModuleInfo; memorySection: MemorySection | undefined } {
  if (bytes.length < HEADER.length) throw invalid(`module: truncated header (${bytes.length} of 8 bytes)`);
  if (HEADER.slice(0, 4).some((b, i) => bytes[i] !== b)) throw invalid("module: bad magic (expected \\0asm)");
  if (HEADER.slice(4).some((b, i) => bytes[4 + i] !== b))
    throw invalid("module: unsupported version (expected 1)");

  const types: WasmSignature[] = [];
  const funcTypes: WasmSignature[] = [];
  const info: WasmModuleInfo = { imports: [], exports: [], memories: [] };
  let memorySection: MemorySection | undefined;
  const typeIndex = (r: Reader, what: string): WasmSignature => {
    const at = r.pos;
    const index = r.u32(`${what} type index`);
    return types[index] ?? r.fail(`${what} type index ${index} is out of range (${types.length} types)`, at);
  };

  const module = new Reader(bytes, HEADER.length, bytes.length, "module");
  let lastRank = -1;
  while (module.remaining > 0) {
    const start = module.pos;
    const id = module.byte("section id");
    const size = module.u32(`section ${id} size`);
    if (size > module.remaining) {
      module.fail(`section ${id} declares ${size} bytes but only ${module.remaining} remain`, start);
    }
    const end = module.pos + size;
    const where = `${SECTION_NAMES[id] ?? `unknown (${id})`} section at byte ${start}`;
    const rank = SECTION_ORDER.indexOf(id);
    if (rank >= 0 && rank <= lastRank) throw invalid(`${where}: duplicated or out of order`);
    if (rank >= 0) lastRank = rank;
    const r = new Reader(bytes, module.pos, end, where);
    switch (id) {
      case 1:
        for (let i = 0, n = r.count("types"); i < n; i++) {
          r.code(`type ${i} form`, (c) => (c === 0x60 ? c : undefined)); // only func types
          const vector = (what: string) =>
            Array.from({ length: r.count(`type ${i} ${what}s`) }, (_, j) =>
              r.valueType(`type ${i} ${what} ${j}`),
            );
          types.push({ params: vector("param"), results: vector("result") });
        }
        break;
      case 2:
        for (let i = 0, n = r.count("imports"); i < n; i++) {
          const what = `import ${i}`;
          const entry: WasmImport = {
            module: r.name(`${what} module`),
            name: r.name(`${what} name`),
            kind: r.kind(what),
          };
          if (entry.kind === "func") {
            const signature = typeIndex(r, what);
            funcTypes.push(signature);
            entry.signature = copy(signature);
          } else if (entry.kind === "table") {
            r.code(`${what} table element type`, (c) => (c === 0x70 || c === 0x6f ? c : undefined));
            r.limits("table", `${what} table`);
          } else if (entry.kind === "memory") {
            const memory = toMemory(r.limits("memory", `${what} memory`), true);
            info.memories.push(memory);
            entry.memory = limitsOf(memory);
          } else if (entry.kind === "global") {
            r.valueType(`${what} global type`);
            r.code(`${what} global mutability`, (c) => (c <= 1 ? c : undefined));
          } else {
            r.code(`${what} tag attribute`, (c) => (c === 0 ? c : undefined));
            typeIndex(r, what);
          }
          info.imports.push(entry);
        }
        break;
      case 3:
        for (let i = 0, n = r.count("functions"); i < n; i++) funcTypes.push(typeIndex(r, `function ${i}`));
        break;
      case 5: {
        const payloadStart = r.pos;
        const n = r.count("memories");
        const firstIndex = info.memories.length;
        memorySection = { start, payloadStart, payloadEnd: end, countEnd: r.pos, firstIndex, entries: [] };
        for (let i = 0; i < n; i++) {
          const limits = r.limits("memory", `memory ${firstIndex + i}`);
          memorySection.entries.push(limits);
          info.memories.push(toMemory(limits, false));
        }
        break;
      }
      case 7:
        for (let i = 0, n = r.count("exports"); i < n; i++) {
          const what = `export ${i}`;
          const name = r.name(`${what} name`);
          const kind = r.kind(what);
          const at = r.pos;
          const index = r.u32(`${what} index`);
          const entry: WasmExport = { name, kind, index };
          if (kind === "func") {
            const signature =
              funcTypes[index] ??
              r.fail(`${what} function index ${index} is out of range (${funcTypes.length} functions)`, at);
            entry.signature = copy(signature);
          } else if (kind === "memory" && index >= info.memories.length) {
            r.fail(`${what} memory index ${index} is out of range (${info.memories.length} memories)`, at);
          }
          info.exports.push(entry);
        }
        break;
      default:
        r.pos = end; // custom, unknown and undecoded sections are skipped by size
    }
    if (r.remaining > 0) r.fail(`${r.remaining} bytes left over after the section's entries`);
    module.pos = end;
  }
  return { info, memorySection };
}

/** Decodes a module's imports, exports and memories; throws EdgeError INVALID_WASM on malformed input. */
export function parseWasmModule(bytes: Uint8Array): WasmModuleInfo {
  return walk(bytes).info;
}

function encodeU32(value: number): number[] {
  const out: number[] = [];
  do {
    const low = value & 0x7f;
    value = Math.floor(value / 128);
    out.push(value > 0 ? low | 0x80 : low);
  } while (value > 0);
  return out;
}

/**
 * Returns a new module in which every memory the module defines has a maximum of at most `maxPages`
 * (a missing maximum becomes `maxPages`). Imported memories and all other bytes are left as they are.
 * Throws EdgeError MEMORY_LIMIT when a defined memory already starts above `maxPages`.
 */
export function capMemoryPages(bytes: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(maxPages) || maxPages < 0 || maxPages > WASM_MAX_PAGES) {
    throw new RangeError(`maxPages must be an integer from 0 to ${WASM_MAX_PAGES}, got ${maxPages}`);
  }
  const section = walk(bytes).memorySection;
  const payload = Array.from(section ? bytes.subarray(section.payloadStart, section.countEnd) : []);
  let changed = false;
  section?.entries.forEach((entry, i) => {
    const memoryIndex = section.firstIndex + i;
    if (entry.min > maxPages) {
      const message = `memory ${memoryIndex} starts at ${entry.min} pages, above the limit of ${maxPages} pages`;
      throw new EdgeError("MEMORY_LIMIT", message, {
        details: { memoryIndex, initialPages: entry.min, maxPages },
      });
    }
    if (entry.max !== undefined && entry.max <= maxPages) {
      payload.push(...bytes.subarray(entry.start, entry.end));
    } else {
      changed = true;
      payload.push(
        entry.flags | FLAG_HAS_MAX,
        ...bytes.subarray(entry.minStart, entry.minEnd),
        ...encodeU32(maxPages),
      );
    }
  });
  if (!section || !changed) return bytes.slice();
  const head = [0x05, ...encodeU32(payload.length)];
  const out = new Uint8Array(
    section.start + head.length + payload.length + (bytes.length - section.payloadEnd),
  );
  out.set(bytes.subarray(0, section.start));
  out.set(head, section.start);
  out.set(payload, section.start + head.length);
  out.set(bytes.subarray(section.payloadEnd), section.start + head.length + payload.length);
  return out;
}
