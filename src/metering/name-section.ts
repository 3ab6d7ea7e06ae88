// Custom sections pass through unchanged, except the "name" section, whose
// function, local and label maps are keyed by function index: those indices
// move with the defined functions.
import { BinaryReader } from "./binary-reader.js";
import { BinaryWriter } from "./binary-writer.js";

// Name subsections that start each entry with a function index.
const FUNCTION_NAMES = 1;
const LOCAL_NAMES = 2;
const LABEL_NAMES = 3;

export function rewriteCustomSection(
  r: BinaryReader,
  out: BinaryWriter,
  shift: (functionIndex: number) => number,
): BinaryWriter {
  const start = r.pos;
  const name = r.name();
  out.bytes(r.bytes.subarray(start, r.pos));
  if (name !== "name") {
    out.bytes(r.bytes.subarray(r.pos, r.end));
    return out;
  }
  try {
    const names = new BinaryWriter();
    while (!r.done) {
      const id = r.byte();
      const size = r.u32();
      const sub = new BinaryReader(r.bytes, r.pos, r.pos + size);
      r.skip(size);
      const payload = new BinaryWriter();
      if (id === FUNCTION_NAMES || id === LOCAL_NAMES || id === LABEL_NAMES) {
        const entries = sub.u32();
        payload.u32(entries);
        for (let i = 0; i < entries; i++) {
          payload.u32(shift(sub.u32()));
          const from = sub.pos;
          if (id === FUNCTION_NAMES) sub.skipName();
          else
            for (let n = sub.u32(); n > 0; n--) {
              sub.u32(); // local or label index
              sub.skipName();
            }
          payload.bytes(sub.bytes.subarray(from, sub.pos));
        }
      } else payload.bytes(sub.bytes.subarray(sub.pos, sub.end));
      names.section(id, payload);
    }
    out.bytes(names.view());
  } catch {
    // A malformed name section is only debug metadata: keep the section's name, drop its contents.
  }
  return out;
}
