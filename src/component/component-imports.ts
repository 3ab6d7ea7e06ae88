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

import { BinaryReader } from "../metering/binary-reader.js";

const IMPORT_SECTION = 10;
const PREAMBLE_BYTES = 8;

const TYPE_SORT = 0x03;

/** Reads past an import's externdesc, answering its sort. */
function skipExternDesc(reader: BinaryReader): number {
  const sort = reader.byte();
  switch (sort) {
    case 0x00: // core module: 0x11 typeidx
      reader.byte();
      reader.u32();
      return sort;
    case 0x01: // func
    case 0x04: // component
    case 0x05: // instance
      reader.u32();
      return sort;
    case 0x02: // value: 0x00 valueidx | 0x01 valtype
      reader.byte();
      reader.u32();
      return sort;
    case TYPE_SORT: // type: 0x00 eq typeidx | 0x01 sub resource
      if (reader.byte() === 0x00) reader.u32();
      return sort;
    default:
      return reader.fail(`unknown component import kind 0x${sort.toString(16)}`);
  }
}

function importName(reader: BinaryReader): string {
  const form = reader.byte();
  const name = reader.name();
  // 0x01: the older encoding with a separate version suffix.
  if (form === 0x01) return `${name}${reader.name()}`;
  if (form !== 0x00) reader.fail(`unknown component import name form 0x${form.toString(16)}`);
  return name;
}

/**
 * The component's top-level imports a host must supply (instances, functions, ...; not types),
 * in binary order. A valid component is assumed: jco has read it first.
 */
export function componentImports(bytes: Uint8Array): string[] {
  const names: string[] = [];
  const reader = new BinaryReader(bytes, PREAMBLE_BYTES, bytes.length);
  while (!reader.done) {
    const id = reader.byte();
    const size = reader.u32();
    const end = reader.pos + size;
    if (id === IMPORT_SECTION) {
      const count = reader.u32();
      for (let i = 0; i < count; i++) {
        const name = importName(reader);
        // A world's own `type` items are type imports: nothing a host supplies.
        if (skipExternDesc(reader) !== TYPE_SORT) names.push(name);
      }
      if (reader.pos !== end) reader.fail(`the import section does not end at its size (${end})`);
    }
    reader.pos = end;
  }
  return names;
}
