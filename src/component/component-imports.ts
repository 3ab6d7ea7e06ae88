// The names a component imports at its top level, versions included ("wasi:io/streams@0.2.12"),
// read from the binary's import sections. An interface imported only for its types counts too
// (wasi:clocks/wall-clock, for filesystem timestamps: jco's list leaves it out, as no function
// of it is called). jco reports imports without their versions (the keys
// of its import object), but what the platform accepts depends on the version: a WASI 0.3 import
// must be refused, not run against 0.2 hosts. Only the outer component's sections are read;
// nested components and their imports are skipped whole.
//
// Binary format (component model, Binary.md): preamble, then sections `id:u8 size:u32 bytes`;
// the import section (id 10) is vec(importname' externdesc).

const IMPORT_SECTION = 10;
const PREAMBLE_BYTES = 8;

class Reader {
  private readonly bytes: Uint8Array;
  offset: number;

  constructor(bytes: Uint8Array, offset: number) {
    this.bytes = bytes;
    this.offset = offset;
  }

  byte(): number {
    const value = this.bytes[this.offset];
    if (value === undefined) throw new Error(`component binary ends early (at ${this.offset})`);
    this.offset += 1;
    return value;
  }

  /** An unsigned LEB128 (also skips an s33 type index, whose encodings are the same length). */
  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error(`overlong LEB128 at ${this.offset}`);
    }
  }

  name(): string {
    const length = this.leb();
    const end = this.offset + length;
    if (end > this.bytes.length) throw new Error(`component binary ends inside a name (at ${this.offset})`);
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      this.bytes.subarray(this.offset, end),
    );
    this.offset = end;
    return text;
  }
}

const TYPE_SORT = 0x03;

/** Reads past an import's externdesc, answering its sort. */
function skipExternDesc(reader: Reader): number {
  const sort = reader.byte();
  switch (sort) {
    case 0x00: // core module: 0x11 typeidx
      reader.byte();
      reader.leb();
      return sort;
    case 0x01: // func
    case 0x04: // component
    case 0x05: // instance
      reader.leb();
      return sort;
    case 0x02: // value: 0x00 valueidx | 0x01 valtype
      reader.byte();
      reader.leb();
      return sort;
    case TYPE_SORT: // type: 0x00 eq typeidx | 0x01 sub resource
      if (reader.byte() === 0x00) reader.leb();
      return sort;
    default:
      throw new Error(`unknown import kind 0x${sort.toString(16)} at ${reader.offset - 1}`);
  }
}

function importName(reader: Reader): string {
  const form = reader.byte();
  const name = reader.name();
  // 0x01: the older encoding with a separate version suffix.
  if (form === 0x01) return `${name}${reader.name()}`;
  if (form !== 0x00) throw new Error(`unknown import name form 0x${form.toString(16)} at ${reader.offset}`);
  return name;
}

/**
 * The component's top-level imports a host must supply (instances, functions, ...; not types),
 * in binary order. A valid component is assumed: jco has read it first.
 */
export function componentImports(bytes: Uint8Array): string[] {
  const names: string[] = [];
  const reader = new Reader(bytes, PREAMBLE_BYTES);
  while (reader.offset < bytes.length) {
    const id = reader.byte();
    const size = reader.leb();
    const end = reader.offset + size;
    if (id === IMPORT_SECTION) {
      const count = reader.leb();
      for (let i = 0; i < count; i++) {
        const name = importName(reader);
        // A world's own `type` items are type imports: nothing a host supplies.
        if (skipExternDesc(reader) !== TYPE_SORT) names.push(name);
      }
      if (reader.offset !== end)
        throw new Error(`import section does not end at its size (${reader.offset} != ${end})`);
    }
    reader.offset = end;
  }
  return names;
}
