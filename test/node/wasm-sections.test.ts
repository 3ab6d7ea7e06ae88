import fc from "fast-check";
import createWabt from "wabt";
import { describe, expect, it } from "vitest";
import { capMemoryPages, parseWasmModule, type WasmModuleInfo } from "../../src/code/wasm-sections.js";
import { EdgeError } from "../../src/errors.js";

const wabt = await createWabt();
const wat = (text: string, features: Parameters<typeof wabt.parseWat>[2] = {}, debugNames = false) => {
  const module = wabt.parseWat("test.wat", text, features);
  try {
    return new Uint8Array(module.toBinary({ write_debug_names: debugNames }).buffer);
  } finally {
    module.destroy();
  }
};

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const bin = (...sections: number[][]) => Uint8Array.from([...HEADER, ...sections.flat()]);
const section = (id: number, payload: number[]) => [id, payload.length, ...payload];
const utf8 = (text: string) => [...new TextEncoder().encode(text)];
const custom = (name: string, payload: number[]) => section(0, [name.length, ...utf8(name), ...payload]);

// What node itself reports, in our vocabulary.
const nodeView = (bytes: Uint8Array<ArrayBuffer>) => {
  const module = new WebAssembly.Module(bytes);
  const kind = (k: string) => (k === "function" ? "func" : k);
  return {
    imports: WebAssembly.Module.imports(module).map((i) => ({
      module: i.module,
      name: i.name,
      kind: kind(i.kind),
    })),
    exports: WebAssembly.Module.exports(module).map((e) => ({ name: e.name, kind: kind(e.kind) })),
  };
};
const ourView = (info: WasmModuleInfo) => ({
  imports: info.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind })),
  exports: info.exports.map((e) => ({ name: e.name, kind: e.kind })),
});

const thrown = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};
const INVALID_WASM = { name: "EdgeError", code: "INVALID_WASM" };

// `bytes` behind a Proxy that counts the bytes the code under test looks at: each element read,
// and the length of each subarray or slice it takes (names, copies). Work counted, not timed.
const counted = (bytes: Uint8Array<ArrayBuffer>) => {
  const seen = { bytes: 0 };
  const view = new Proxy(bytes, {
    get(target, key) {
      if (typeof key === "string" && /^\d+$/.test(key)) {
        seen.bytes++;
        return target[Number(key)];
      }
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (key === "subarray" || key === "slice") {
        return (start?: number, end?: number) => {
          const part = target[key](start, end);
          seen.bytes += part.length;
          return part;
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  return { view, seen };
};
/** What `run` threw (undefined: nothing), and how many bytes of `bytes` it looked at. */
const visit = (bytes: Uint8Array<ArrayBuffer>, run: (view: Uint8Array<ArrayBuffer>) => unknown) => {
  const { view, seen } = counted(bytes);
  const error = thrown(() => run(view));
  return { error, visited: seen.bytes };
};

const RICH = `(module
  (type $pair (func (param i32 i64) (result f32)))
  (import "env" "log" (func $log (param i32)))
  (import "env" "pair" (func $pair (type $pair)))
  (import "env" "table" (table 2 10 funcref))
  (import "env" "counter" (global $counter (mut i32)))
  (import "env" "pi" (global $pi f64))
  (memory (export "memory") 1 4)
  (global $g (export "g") (mut i64) (i64.const 7))
  (table $t (export "t") 3 externref)
  (func $f (export "f") (param f64 v128) (result i64 i32) (i64.const 1) (i32.const 2))
  (func $start (call $log (i32.const 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (export "log_again" (func $log))
  (start $start)
  (elem (i32.const 0) $f)
  (data (i32.const 8) "hello"))`;

describe("parseWasmModule", () => {
  it("decodes imports, exports and memories of a module with every import kind", () => {
    const bytes = wat(RICH);
    const info = parseWasmModule(bytes);
    expect(info).toEqual({
      imports: [
        { module: "env", name: "log", kind: "func", signature: { params: ["i32"], results: [] } },
        {
          module: "env",
          name: "pair",
          kind: "func",
          signature: { params: ["i32", "i64"], results: ["f32"] },
        },
        { module: "env", name: "table", kind: "table" },
        { module: "env", name: "counter", kind: "global" },
        { module: "env", name: "pi", kind: "global" },
      ],
      exports: [
        { name: "memory", kind: "memory", index: 0 },
        { name: "g", kind: "global", index: 2 },
        { name: "t", kind: "table", index: 1 },
        {
          name: "f",
          kind: "func",
          index: 2,
          signature: { params: ["f64", "v128"], results: ["i64", "i32"] },
        },
        { name: "grow", kind: "func", index: 4, signature: { params: ["i32"], results: ["i32"] } },
        { name: "log_again", kind: "func", index: 0, signature: { params: ["i32"], results: [] } },
      ],
      memories: [{ min: 1, max: 4, shared: false, imported: false }],
    });
    expect(ourView(info)).toEqual(nodeView(bytes));
  });

  it("reports imported memories with their limits, before defined ones in index order", () => {
    const bytes = wat(`(module
      (import "env" "memory" (memory 2 8))
      (import "env" "open" (memory 3))
      (export "mem" (memory 1)))`);
    const info = parseWasmModule(bytes);
    expect(info.imports).toEqual([
      { module: "env", name: "memory", kind: "memory", memory: { min: 2, max: 8, shared: false } },
      { module: "env", name: "open", kind: "memory", memory: { min: 3, shared: false } },
    ]);
    expect(info.memories).toEqual([
      { min: 2, max: 8, shared: false, imported: true },
      { min: 3, shared: false, imported: true },
    ]);
    expect(info.exports).toEqual([{ name: "mem", kind: "memory", index: 1 }]);
    // (multi-memory needs node 22, so node cross-checks a single imported memory)
    const single = wat(`(module (import "env" "memory" (memory 2 8)) (export "mem" (memory 0)))`);
    expect(ourView(parseWasmModule(single))).toEqual(nodeView(single));
  });

  it("decodes shared memories and tags", () => {
    const bytes = wat(
      `(module (tag (import "env" "e") (param i32)) (tag (export "t") (param i64)) (memory (export "m") 1 2 shared))`,
      { exceptions: true, threads: true },
    );
    const info = parseWasmModule(bytes);
    expect(info.imports).toEqual([{ module: "env", name: "e", kind: "tag" }]);
    expect(info.exports).toEqual([
      { name: "t", kind: "tag", index: 1 },
      { name: "m", kind: "memory", index: 0 },
    ]);
    expect(info.memories).toEqual([{ min: 1, max: 2, shared: true, imported: false }]);
    expect(ourView(info)).toEqual(nodeView(bytes));
  });

  it("handles a module without memory or any section", () => {
    expect(parseWasmModule(bin())).toEqual({ imports: [], exports: [], memories: [] });
    const info = parseWasmModule(wat(`(module (func (export "nop")))`));
    expect(info.memories).toEqual([]);
    expect(info.exports).toEqual([
      { name: "nop", kind: "func", index: 0, signature: { params: [], results: [] } },
    ]);
  });

  it("skips custom sections anywhere, and unknown section ids, by their size", () => {
    const plain = wat(RICH);
    const named = wat(RICH, {}, true);
    expect(named.length).toBeGreaterThan(plain.length); // carries a "name" custom section
    const withCustom = Uint8Array.from([
      ...HEADER,
      ...custom("first", [1, 2, 3]),
      ...named.subarray(8),
      ...custom("last", utf8("\u00e9t\u00e9")),
    ]);
    expect(WebAssembly.validate(withCustom)).toBe(true);
    expect(parseWasmModule(withCustom)).toEqual(parseWasmModule(plain));
    expect(parseWasmModule(bin(section(0x20, [0xff, 0xff])))).toEqual({
      imports: [],
      exports: [],
      memories: [],
    });
  });

  it("rejects memory64 modules", () => {
    const bytes = wat(`(module (memory i64 1 2))`, { memory64: true });
    expect(thrown(() => parseWasmModule(bytes))).toMatchObject(INVALID_WASM);
    expect(thrown(() => capMemoryPages(bytes, 4))).toMatchObject(INVALID_WASM);
  });

  it.each<[string, Uint8Array]>([
    ["empty input", new Uint8Array(0)],
    ["short input", Uint8Array.of(0, 0x61, 0x73)],
    ["bad magic", Uint8Array.of(0, 0x61, 0x73, 0x6e, 1, 0, 0, 0)],
    ["version 2", Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0)],
    ["truncated section size", bin([1, 0x80])],
    ["six-byte LEB", bin([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])],
    ["LEB over 32 bits", bin([1, 0xff, 0xff, 0xff, 0xff, 0x1f])],
    ["section overrunning the buffer", bin([1, 10, 0])],
    ["count beyond the section", bin(section(1, [0xff, 0x01]))],
    ["truncated vector", bin(section(1, [1, 0x60, 2, 0x7f]))],
    ["truncated entry", bin(section(2, [1, 1, 0x61, 1, 0x62]))],
    ["truncated count", bin(section(1, [1, 0x60, 1, 0x7f]))],
    ["non-func type", bin(section(1, [1, 0x5f, 0]))],
    ["bad value type", bin(section(1, [1, 0x60, 1, 0x40, 0]))],
    ["trailing bytes", bin(section(1, [0, 0]))],
    ["duplicate section", bin(section(1, [0]), section(1, [0]))],
    ["out-of-order sections", bin(section(7, [0]), section(5, [0]))],
    ["unknown limits flags", bin(section(5, [1, 0x08, 1]))],
    ["shared table", bin(section(2, [1, 1, 0x61, 1, 0x62, 1, 0x70, 0x03, 1, 2]))],
    ["unknown import kind", bin(section(2, [1, 1, 0x61, 1, 0x62, 9, 0]))],
    ["import of missing type", bin(section(2, [1, 1, 0x61, 1, 0x62, 0, 0]))],
    ["invalid UTF-8 name", bin(section(2, [1, 1, 0xff, 1, 0x62, 0, 0]))],
    ["name overrunning", bin(section(7, [1, 9, 0x61]))],
    ["export of missing function", bin(section(7, [1, 1, 0x61, 0, 3]))],
    ["export of missing memory", bin(section(7, [1, 1, 0x61, 2, 0]))],
  ])("throws INVALID_WASM for %s", (_, bytes) => {
    expect(thrown(() => parseWasmModule(bytes))).toMatchObject(INVALID_WASM);
  });
});

describe("capMemoryPages", () => {
  const growTo = (bytes: Uint8Array<ArrayBuffer>) => {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    return instance.exports.grow as (pages: number) => number;
  };
  const memoryModule = (limits: string) =>
    wat(`(module (memory (export "memory") ${limits})
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);

  it.each<[string, number, number]>([
    ["1", 10, 10], // no maximum: the cap becomes it
    ["1 100", 10, 10], // maximum above the cap: lowered
    ["2 5", 10, 5], // maximum below the cap: kept
    ["3 3", 3, 3], // initial exactly at the cap
  ])("memory %s capped at %i pages has maximum %i and cannot grow past it", (limits, cap, max) => {
    const original = memoryModule(limits);
    const capped = capMemoryPages(original, cap);
    expect(capped).not.toBe(original);
    expect(WebAssembly.validate(capped)).toBe(true);
    const info = parseWasmModule(capped);
    expect(info.memories).toEqual([{ min: info.memories[0]!.min, max, shared: false, imported: false }]);
    expect(ourView(info)).toEqual(nodeView(capped));
    const grow = growTo(capped);
    const min = info.memories[0]!.min;
    expect(grow(max - min + 1)).toBe(-1);
    expect(grow(max - min)).toBe(min);
    expect(grow(1)).toBe(-1);
    expect(grow(0)).toBe(max);
  });

  it("caps at the full 32-bit range of 65536 pages", () => {
    const capped = capMemoryPages(memoryModule("0"), 65536);
    expect(WebAssembly.validate(capped)).toBe(true);
    expect(parseWasmModule(capped).memories).toEqual([
      { min: 0, max: 65536, shared: false, imported: false },
    ]);
  });

  it("changes only the memory section, and returns an identical copy when nothing needs capping", () => {
    const original = wat(RICH, {}, true);
    const before = parseWasmModule(original);
    const capped = capMemoryPages(original, 2); // memory 1 4 -> 1 2
    expect(parseWasmModule(capped)).toEqual({
      ...before,
      memories: [{ min: 1, max: 2, shared: false, imported: false }],
    });
    expect(capped.length).toBe(original.length); // flags byte unchanged (had a max), LEB 4 -> 2 same width
    const differing = [...capped.keys()].filter((i) => capped[i] !== original[i]);
    expect(differing).toHaveLength(1);
    expect(original[differing[0]!]).toBe(4);
    const same = capMemoryPages(original, 4);
    expect(same).toEqual(original);
    expect(same).not.toBe(original);
    const none = wat(`(module (func (export "nop")))`);
    expect(capMemoryPages(none, 1)).toEqual(none);
  });

  it("rebuilds the section size and keeps padded LEBs and surrounding sections byte for byte", () => {
    const tail = custom("tail", [9, 9]);
    const padded = bin(section(5, [0x81, 0x00, 0x00, 0x81, 0x80, 0x80, 0x00]), tail); // count 1 and min 1, padded
    expect(WebAssembly.validate(padded)).toBe(true);
    const capped = capMemoryPages(padded, 300);
    expect([...capped]).toEqual([
      ...HEADER,
      ...section(5, [0x81, 0x00, 0x01, 0x81, 0x80, 0x80, 0x00, 0xac, 0x02]),
      ...tail,
    ]);
    expect(WebAssembly.validate(capped)).toBe(true);
    expect(parseWasmModule(capped).memories).toEqual([{ min: 1, max: 300, shared: false, imported: false }]);
  });

  it("caps shared memories and leaves imported memories alone", () => {
    const shared = wat(`(module (memory (export "m") 1 20 shared))`, { threads: true });
    const capped = capMemoryPages(shared, 4);
    expect(parseWasmModule(capped).memories).toEqual([{ min: 1, max: 4, shared: true, imported: false }]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(capped));
    const memory = instance.exports.m as WebAssembly.Memory;
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(() => memory.grow(4)).toThrow(RangeError);
    expect(memory.grow(3)).toBe(1);

    const imported = wat(`(module (import "env" "memory" (memory 100)))`);
    expect(capMemoryPages(imported, 4)).toEqual(imported);
  });

  it("throws MEMORY_LIMIT when a defined memory starts above the cap", () => {
    const bytes = memoryModule("17 20");
    let caught: unknown;
    try {
      capMemoryPages(bytes, 16);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EdgeError);
    const error = caught as EdgeError;
    expect(error.code).toBe("MEMORY_LIMIT");
    expect(error.status).toBe(422);
    expect(error.details).toEqual({ memoryIndex: 0, initialPages: 17, maxPages: 16 });
  });

  it("refuses a cap that is not a page count", () => {
    const bytes = memoryModule("1");
    for (const cap of [-1, 1.5, 65537, Number.NaN])
      expect(() => capMemoryPages(bytes, cap)).toThrow(RangeError);
  });
});

describe("robustness", () => {
  const corpus = [
    wat(RICH),
    wat(RICH, {}, true),
    wat(`(module (import "env" "memory" (memory 2 8)) (memory 1) (export "mem" (memory 1)))`),
    wat(`(module (tag (import "env" "e") (param i32)) (memory 1 2 shared))`, {
      exceptions: true,
      threads: true,
    }),
  ];

  // Either a result or EdgeError INVALID_WASM (MEMORY_LIMIT for the cap), never anything else, and
  // in linear work: parsing looks at each byte at most once; capping at most three times (the same
  // walk, the memory section's entries as it rebuilds them, the copy it returns).
  type Outcome = "rejected" | "decoded" | "cross-checked";
  const check = (bytes: Uint8Array<ArrayBuffer>): Outcome => {
    let info: WasmModuleInfo | undefined;
    const parsed = visit(bytes, (view) => (info = parseWasmModule(view)));
    if (parsed.error !== undefined) {
      const error = parsed.error;
      if (!(error instanceof EdgeError) || error.code !== "INVALID_WASM") throw error;
    }
    let capped: Uint8Array<ArrayBuffer> | undefined;
    const cap = visit(bytes, (view) => (capped = capMemoryPages(view, 3)));
    if (cap.error !== undefined) {
      const error = cap.error;
      if (!(error instanceof EdgeError) || !["INVALID_WASM", "MEMORY_LIMIT"].includes(error.code))
        throw error;
    }
    expect(parsed.visited).toBeLessThanOrEqual(bytes.length);
    expect(cap.visited).toBeLessThanOrEqual(3 * bytes.length);
    if (info === undefined) return "rejected";
    if (!WebAssembly.validate(bytes)) return "decoded";
    // Whatever node accepts and we decode, we decode as node does, and a capped module stays valid.
    expect(ourView(info)).toEqual(nodeView(bytes));
    if (capped !== undefined) {
      expect(WebAssembly.validate(capped)).toBe(true);
      expect(nodeView(capped)).toEqual(nodeView(bytes));
      expect(parseWasmModule(capped).memories.every((m) => m.imported || (m.max ?? Infinity) <= 3)).toBe(
        true,
      );
    }
    return "cross-checked";
  };
  const tally = () => {
    const counts: Record<Outcome, number> = { rejected: 0, decoded: 0, "cross-checked": 0 };
    return { counts, run: (bytes: Uint8Array<ArrayBuffer>) => void counts[check(bytes)]++ };
  };

  it("never throws anything but EdgeError on random bytes", () => {
    const { counts, run } = tally();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (random, withHeader) => {
        run(withHeader ? Uint8Array.from([...HEADER, ...random]) : random);
      }),
      { numRuns: 3000 },
    );
    expect(counts.rejected).toBeGreaterThan(1000);
  });

  it("never throws anything but EdgeError on truncated or mutated valid modules", () => {
    const { counts, run } = tally();
    const edit = fc.oneof(
      fc.record({ op: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({
        op: fc.constant("insert" as const),
        at: fc.nat(),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }),
      }),
      fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        (original, edits) => {
          let bytes = [...original];
          for (const e of edits) {
            const at = e.at % (bytes.length + 1);
            if (e.op === "set") bytes[at] = e.value;
            else if (e.op === "insert") bytes.splice(at, 0, ...e.bytes);
            else if (e.op === "delete") bytes.splice(at, e.length);
            else bytes = bytes.slice(0, at);
          }
          run(Uint8Array.from(bytes));
        },
      ),
      { numRuns: 5000 },
    );
    expect(counts.rejected).toBeGreaterThan(500);
    expect(counts["cross-checked"]).toBeGreaterThan(25); // about 2% of mutants still validate
  });

  it("walks every truncation of a valid module", () => {
    const { counts, run } = tally();
    for (const original of corpus) {
      for (let end = 0; end <= original.length; end++) run(original.slice(0, end));
    }
    expect(counts["cross-checked"]).toBeGreaterThanOrEqual(corpus.length);
  });

  it("refuses huge declared sizes and counts up front, and skips large sections by their size", () => {
    /** Bytes looked at to refuse `bytes`. */
    const refusing = (bytes: Uint8Array<ArrayBuffer>) => {
      const { error, visited } = visit(bytes, parseWasmModule);
      expect(error).toMatchObject(INVALID_WASM);
      return visited;
    };
    /** Bytes looked at to decode `bytes`. */
    const decoding = (bytes: Uint8Array<ArrayBuffer>) => {
      const { error, visited } = visit(bytes, parseWasmModule);
      expect(error).toBeUndefined();
      return visited;
    };
    // What follows a refused declaration is never walked: as many bytes are looked at with 40
    // well-formed types after it as with nothing.
    const types = [40, ...Array.from({ length: 40 }, () => [0x60, 0, 0]).flat()];
    expect(parseWasmModule(bin(section(1, types)))).toEqual({ imports: [], exports: [], memories: [] });
    const huge = (after: number[]) => bin([1, 0xff, 0xff, 0xff, 0xff, 0x0f, ...after]); // 2^32 - 1 bytes
    expect(refusing(huge(types))).toBe(refusing(huge([])));
    const manyTypes = (after: number[]) => bin(section(1, [0xff, 0xff, 0xff, 0xff, 0x0f, ...after])); // 2^32 - 1 types
    expect(refusing(manyTypes(types.slice(1)))).toBe(refusing(manyTypes([])));

    // A custom section costs the same whatever its size: 16 bytes or 4 MiB.
    const customOf = (size: number) => {
      const bytes = new Uint8Array(8 + 1 + 5 + size);
      bytes.set(HEADER);
      bytes.set([0, ...[0, 7, 14, 21].map((shift) => 0x80 | ((size >> shift) & 0x7f)), size >>> 28], 8);
      return bytes;
    };
    expect(decoding(customOf(4 * 1024 * 1024))).toBe(decoding(customOf(16)));
    expect(decoding(customOf(4 * 1024 * 1024))).toBe(HEADER.length + 1 + 5);
  });
});
