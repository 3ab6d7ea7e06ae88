// The metering rewriter: takes a validated core module and returns it with
// deterministic fuel and a call-depth limit built in. Pure TypeScript over the
// bytes (no compile, no binaryen), so it runs inside workerd at upload.
//
// What it adds, without shifting any index the module already uses except
// defined functions (which move up by one past the new import):
// - import `edge_meter.refuel` (the last import), called when a slice runs out;
// - globals `__edge_fuel` (i64), `__edge_depth` and `__edge_grow_refused` (i32), appended and exported;
// - the start function, if any, exported as `__edge_start` instead of run at
//   instantiation, so the host runs it metered.
import { BinaryReader } from "./binary-reader.js";
import { BinaryWriter } from "./binary-writer.js";
import { ChargeCode } from "./charge-code.js";
import { meterFunction, type FunctionContext } from "./function-meter.js";
import { decodeInstruction, Kind, valueType } from "./instruction-decoder.js";
import {
  DEPTH_EXPORT,
  FUEL_EXPORT,
  GROW_REFUSED_EXPORT,
  METER_MODULE,
  REFUEL_IMPORT,
  RESERVED_EXPORT_PREFIX,
  START_EXPORT,
} from "./metering-abi.js";
import { rewriteCustomSection } from "./name-section.js";
import { readLayout, SECTION_RANK, SectionId, type ModuleLayout, type Section } from "./module-sections.js";
import { unsupported } from "./unsupported-feature.js";

/** Sections whose payload the rewriter changes (or creates); the others are copied byte for byte. */
const REWRITTEN = new Set<number>([
  SectionId.CUSTOM,
  SectionId.TYPE,
  SectionId.IMPORT,
  SectionId.GLOBAL,
  SectionId.EXPORT,
  SectionId.ELEMENT,
]);

/** Initial value of the depth global; the host sets its own limit before every call. */
const INITIAL_DEPTH = 1000;

export interface MeteringReport {
  bytes: Uint8Array<ArrayBuffer>;
  /** Defined functions instrumented. */
  functions: number;
}

export function meterModule(input: Uint8Array): MeteringReport {
  // A plain view: node's Buffer.subarray is several times slower, and the rewriter slices a lot.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const layout = readLayout(bytes);
  const rewriter = new ModuleRewriter(bytes, layout);
  return { bytes: rewriter.rewrite(), functions: layout.functionTypes.length };
}

class ModuleRewriter {
  readonly #bytes: Uint8Array;
  readonly #layout: ModuleLayout;
  readonly #shift: (index: number) => number;
  readonly #refuelType: number;
  readonly #wrapperTypes = new Map<string, number>();
  readonly #fuelGlobal: number;
  readonly #depthGlobal: number;
  readonly #refusedGlobal: number;
  #start: number | undefined;

  constructor(bytes: Uint8Array, layout: ModuleLayout) {
    this.#bytes = bytes;
    this.#layout = layout;
    const first = layout.importedFunctions;
    this.#shift = (index) => (index >= first ? index + 1 : index);
    this.#refuelType = layout.types.length;
    this.#fuelGlobal = layout.importedGlobals + layout.definedGlobals;
    this.#depthGlobal = this.#fuelGlobal + 1;
    this.#refusedGlobal = this.#fuelGlobal + 2;
    for (const section of layout.sections) {
      if (section.id === SectionId.START) {
        this.#start = new BinaryReader(bytes, section.payloadStart, section.payloadEnd).u32();
      }
    }
  }

  rewrite(): Uint8Array<ArrayBuffer> {
    // Code first: it decides which wrapper block types the type section needs.
    const code = this.#section(SectionId.CODE);
    const meteredCode = code ? this.#code(code) : undefined;

    const out = new BinaryWriter();
    out.bytes(this.#bytes.subarray(0, 8));
    const present = new Set(this.#layout.sections.map((s) => s.id));
    const created = [SectionId.TYPE, SectionId.IMPORT, SectionId.GLOBAL, SectionId.EXPORT].filter(
      (id) => !present.has(id),
    );
    const emitCreatedBefore = (rank: number) => {
      while (created.length > 0 && (SECTION_RANK[created[0] as number] as number) < rank) {
        const id = created.shift() as number;
        out.section(id, this.#transform(id, undefined));
      }
    };
    for (const section of this.#layout.sections) {
      if (section.id !== SectionId.CUSTOM) emitCreatedBefore(SECTION_RANK[section.id] ?? 0);
      if (section.id === SectionId.START) continue;
      if (section.id === SectionId.CODE && meteredCode) {
        out.section(section.id, meteredCode);
        continue;
      }
      if (REWRITTEN.has(section.id)) out.section(section.id, this.#transform(section.id, section));
      else out.bytes(this.#bytes.subarray(this.#sectionStart(section), section.payloadEnd));
    }
    emitCreatedBefore(Number.POSITIVE_INFINITY);
    return out.finish();
  }

  #section(id: number): Section | undefined {
    return this.#layout.sections.find((s) => s.id === id);
  }

  #sectionStart(section: Section): number {
    // Back from the payload over the size LEB and the id byte.
    let at = section.payloadStart - 1;
    while (at > 0 && ((this.#bytes[at - 1] as number) & 0x80) !== 0) at--;
    return at - 1;
  }

  /** The new payload of a section (absent: create it). */
  #transform(id: number, section: Section | undefined): BinaryWriter {
    const out = new BinaryWriter();
    const r = section
      ? new BinaryReader(this.#bytes, section.payloadStart, section.payloadEnd)
      : new BinaryReader(new Uint8Array([0]), 0, 1); // an empty vector
    switch (id) {
      case SectionId.TYPE:
        return this.#types(r, out);
      case SectionId.IMPORT:
        return this.#imports(r, out);
      case SectionId.GLOBAL:
        return this.#globals(r, out);
      case SectionId.EXPORT:
        return this.#exports(r, out);
      case SectionId.ELEMENT:
        return this.#elements(r, out);
      default:
        return this.#custom(r, out);
    }
  }

  #types(r: BinaryReader, out: BinaryWriter): BinaryWriter {
    const count = r.u32();
    out.u32(count + 1 + this.#wrapperTypes.size);
    out.bytes(r.bytes.subarray(r.pos, r.end));
    out.bytes([0x60, 0, 0]); // refuel: [] -> []
    for (const key of this.#wrapperTypes.keys()) {
      const results = key.split(",").map(Number);
      out.bytes([0x60, 0, results.length, ...results]);
    }
    return out;
  }

  #imports(r: BinaryReader, out: BinaryWriter): BinaryWriter {
    out.u32(r.u32() + 1);
    out.bytes(r.bytes.subarray(r.pos, r.end));
    out.name(METER_MODULE);
    out.name(REFUEL_IMPORT);
    out.byte(0);
    out.u32(this.#refuelType);
    return out;
  }

  #globals(r: BinaryReader, out: BinaryWriter): BinaryWriter {
    const count = r.u32();
    out.u32(count + 3);
    for (let i = 0; i < count; i++) {
      const start = r.pos;
      valueType(r);
      r.byte();
      out.bytes(r.bytes.subarray(start, r.pos));
      this.#constExpr(r, out);
    }
    out.bytes([0x7e, 0x01, 0x42, 0x00, 0x0b]); // fuel: mut i64 = 0 until the host sets it
    out.bytes([0x7f, 0x01, 0x41]); // depth: mut i32
    out.s64(INITIAL_DEPTH);
    out.byte(0x0b);
    out.bytes([0x7f, 0x01, 0x41, 0x00, 0x0b]); // pages of a refused memory.grow: mut i32 = 0
    return out;
  }

  #exports(r: BinaryReader, out: BinaryWriter): BinaryWriter {
    const count = r.u32();
    out.u32(count + 3 + (this.#start === undefined ? 0 : 1));
    for (let i = 0; i < count; i++) {
      const at = r.pos;
      const name = r.name();
      if (name.startsWith(RESERVED_EXPORT_PREFIX)) {
        throw unsupported("reserved-name", `the reserved export name "${name}"`, at);
      }
      const kind = r.byte();
      const index = r.u32();
      out.name(name);
      out.byte(kind);
      out.u32(kind === 0 ? this.#shift(index) : index);
    }
    out.name(FUEL_EXPORT);
    out.byte(3);
    out.u32(this.#fuelGlobal);
    out.name(DEPTH_EXPORT);
    out.byte(3);
    out.u32(this.#depthGlobal);
    out.name(GROW_REFUSED_EXPORT);
    out.byte(3);
    out.u32(this.#refusedGlobal);
    if (this.#start !== undefined) {
      out.name(START_EXPORT);
      out.byte(0);
      out.u32(this.#shift(this.#start));
    }
    return out;
  }

  #elements(r: BinaryReader, out: BinaryWriter): BinaryWriter {
    const count = r.u32();
    out.u32(count);
    for (let i = 0; i < count; i++) {
      const flags = r.u32();
      out.u32(flags);
      if (flags > 7) r.fail(`unknown element segment flags ${flags}`);
      if (flags === 2 || flags === 6) out.u32(r.u32()); // table index
      if ((flags & 1) === 0) this.#constExpr(r, out); // active: offset
      const expressions = (flags & 4) !== 0;
      if (flags & 3) {
        if (expressions) out.byte(valueType(r));
        else out.byte(r.byte()); // elemkind
      }
      const entries = r.u32();
      out.u32(entries);
      for (let j = 0; j < entries; j++) {
        if (expressions) this.#constExpr(r, out);
        else out.u32(this.#shift(r.u32()));
      }
    }
    return out;
  }

  /** Copies a constant expression up to its `end`, renumbering `ref.func`. */
  #constExpr(r: BinaryReader, out: BinaryWriter): void {
    const slot = { index: 0 };
    for (;;) {
      const start = r.pos;
      const kind = decodeInstruction(r, slot);
      if (kind === Kind.REF_FUNC) {
        out.byte(0xd2);
        out.u32(this.#shift(slot.index));
      } else out.bytes(r.bytes.subarray(start, r.pos));
      if (kind === Kind.END) return;
    }
  }

  /** The "name" section with function indices renumbered; other custom sections unchanged. */
  #custom(r: BinaryReader, out: BinaryWriter): BinaryWriter {
    return rewriteCustomSection(r, out, this.#shift);
  }

  #code(section: Section): BinaryWriter {
    const r = new BinaryReader(this.#bytes, section.payloadStart, section.payloadEnd);
    const count = r.u32();
    const { functionTypes, types } = this.#layout;
    if (count !== functionTypes.length) r.fail("function and code section counts differ");
    const out = new BinaryWriter();
    out.u32(count);
    const body = new BinaryWriter();
    const code = new ChargeCode(
      this.#fuelGlobal,
      this.#depthGlobal,
      this.#refusedGlobal,
      this.#layout.importedFunctions,
    );
    for (let i = 0; i < count; i++) {
      const size = r.u32();
      const type = types[functionTypes[i] as number] ?? r.fail(`function ${i} has an unknown type`);
      const ctx: FunctionContext = {
        code,
        firstDefinedFunction: this.#layout.importedFunctions,
        params: type.params,
        resultBlockType: this.#blockType(type.results),
      };
      body.reset();
      meterFunction(this.#bytes, r.pos, r.pos + size, ctx, body);
      r.skip(size);
      out.u32(body.length);
      out.bytes(body.view());
    }
    return out;
  }

  #blockType(results: number[]): number[] {
    if (results.length === 0) return [0x40];
    if (results.length === 1) return results;
    const key = results.join(",");
    let index = this.#wrapperTypes.get(key);
    if (index === undefined) {
      index = this.#refuelType + 1 + this.#wrapperTypes.size;
      this.#wrapperTypes.set(key, index);
    }
    const encoded = new BinaryWriter();
    encoded.s64(index);
    return Array.from(encoded.view());
  }
}
