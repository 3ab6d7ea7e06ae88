// Helpers for the metering rewriter's tests: WAT and hand-made binaries, the
// refusal a module gets, a small reader for the parts of a module the tests
// inspect, and a host that runs one export of a module metered or not.
import createWabt from "wabt";
import { EdgeError } from "../../../src/errors.js";
import { FuelMeter, type FuelOptions } from "../../../src/metering/fuel-meter.js";
import { METER_MODULE, REFUEL_IMPORT, START_EXPORT } from "../../../src/metering/metering-abi.js";

const wabt = await createWabt();
// wabt parses multi-memory too; its typings do not list the flag.
export type WatFeatures = NonNullable<Parameters<typeof wabt.parseWat>[2]> & { multi_memory?: boolean };

export const ALL_FEATURES: WatFeatures = {
  threads: true,
  exceptions: true,
  tail_call: true,
  multi_memory: true,
  memory64: true,
  relaxed_simd: true,
  function_references: true,
  gc: true,
  simd: true,
};

/** WAT to a validated binary (wabt), optionally with a name section. */
export function wat(
  text: string,
  features: WatFeatures = ALL_FEATURES,
  names = false,
): Uint8Array<ArrayBuffer> {
  const module = wabt.parseWat("test.wat", text, features);
  try {
    // wabt's validate takes the feature set at run time; its typings omit the parameter.
    (module.validate as unknown as (f: WatFeatures) => void).call(module, features);
    return new Uint8Array(module.toBinary({ write_debug_names: names }).buffer);
  } finally {
    module.destroy();
  }
}

// Hand-made binaries, as arrays of bytes.
export function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}
export const str = (text: string): number[] => {
  const utf8 = [...new TextEncoder().encode(text)];
  return [...leb(utf8.length), ...utf8];
};
export const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
export const section = (id: number, payload: number[]): number[] => [id, ...leb(payload.length), ...payload];
export const binary = (...sections: number[][]): Uint8Array<ArrayBuffer> =>
  Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);

/** One `[] -> []` function whose code is `code` (without the final end), optionally with a memory. */
export function funcModule(code: number[], options: { memory?: boolean; extra?: number[][] } = {}) {
  return binary(
    section(1, vec([[0x60, 0, 0]])),
    section(3, vec([[0]])),
    ...(options.memory ? [section(5, vec([[0x00, 1]]))] : []),
    ...(options.extra ?? []),
    section(10, vec([[...leb(code.length + 2), 0, ...code, 0x0b]])),
  );
}

/** What `fn` threw: the EdgeError's code and details, or a description of anything else. */
export function thrown(fn: () => unknown): { code: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    if (error instanceof EdgeError) return { code: error.code, details: error.details };
    return { code: `not an EdgeError: ${String(error)}` };
  }
  return { code: "no error" };
}

// A reader for the declarations the tests need (MVP encodings plus reference types and SIMD).
class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    const b = this.bytes[this.pos++];
    if (b === undefined) throw new Error("read past the end");
    return b;
  }
  u32(): number {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
  }
  name(): string {
    const length = this.u32();
    this.pos += length;
    return new TextDecoder().decode(this.bytes.subarray(this.pos - length, this.pos));
  }
  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

export interface ModuleInfo {
  /** Every export name, in order. */
  exports: string[];
  /** Parameter value types (type bytes) of every exported function, by export name. */
  exportParams: Map<string, number[]>;
  /** Function names by index, from the name section. */
  functionNames: Map<number, string>;
  /** Local names by function index, then local index. */
  localNames: Map<number, Map<number, string>>;
}

export function moduleInfo(bytes: Uint8Array): ModuleInfo {
  const r = new Reader(bytes);
  r.pos = 8;
  const types: number[][] = [];
  const functions: number[] = [];
  const info: ModuleInfo = {
    exports: [],
    exportParams: new Map(),
    functionNames: new Map(),
    localNames: new Map(),
  };
  while (r.pos < bytes.length) {
    const id = r.byte();
    const end = r.u32() + r.pos;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        r.byte();
        const params = Array.from({ length: r.u32() }, () => r.byte());
        for (let m = r.u32(); m > 0; m--) r.byte();
        types.push(params);
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) functions.push(r.u32());
        else if (kind === 2) r.limits();
        else {
          r.byte(); // table: reference type; global: value type
          if (kind === 1) r.limits();
          else r.byte(); // global: mutability
        }
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) functions.push(r.u32());
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name();
        const kind = r.byte();
        const index = r.u32();
        info.exports.push(name);
        if (kind === 0) info.exportParams.set(name, types[functions[index] ?? -1] ?? []);
      }
    } else if (id === 0 && r.name() === "name") {
      while (r.pos < end) {
        const sub = r.byte();
        const subEnd = r.u32() + r.pos;
        if (sub === 1) {
          for (let n = r.u32(); n > 0; n--) info.functionNames.set(r.u32(), r.name());
        } else if (sub === 2) {
          for (let n = r.u32(); n > 0; n--) {
            const locals = new Map<number, string>();
            info.localNames.set(r.u32(), locals);
            for (let m = r.u32(); m > 0; m--) locals.set(r.u32(), r.name());
          }
        }
        r.pos = subEnd;
      }
    }
    r.pos = end;
  }
  return info;
}

/** A JS value crossing the wasm boundary, as a string that tells -0 from 0 and i64 from f64. */
export function describe(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "f:-0" : `f:${value}`;
  if (typeof value === "bigint") return `i:${value}`;
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(",")}]`;
  return typeof value;
}

export type Outcome =
  | { kind: "return"; value: string }
  | { kind: "trap"; message: string }
  | { kind: "error"; name: string }
  | { kind: "out-of-fuel" };

export interface ExportRun {
  logs: string[];
  outcome: Outcome;
  /** Fuel used (metered runs only). */
  fuel: number | null;
  meter: FuelMeter | null;
}

const zeroOf = (type: number): unknown => (type === 0x7e ? 0n : type === 0x70 || type === 0x6f ? null : 0);

/**
 * Runs export `name` of `module` on a fresh instance with binaryen's
 * "fuzzing-support" imports (after its start function, which the metered
 * module exports as __edge_start). `info` describes the unmetered module:
 * call-export indexes its export list in both variants. With `fuel`, the module must
 * be metered and runs under a real FuelMeter.
 */
export function runExport(
  module: WebAssembly.Module,
  info: ModuleInfo,
  name: string,
  fuel?: FuelOptions,
): ExportRun {
  const logs: string[] = [];
  const meter = fuel ? new FuelMeter(fuel) : null;
  let exports: WebAssembly.Exports = {};
  const call = (target: string | undefined) => {
    const fn = target === undefined ? undefined : exports[target];
    if (typeof fn !== "function") throw new TypeError("not a function export");
    return (fn as (...args: unknown[]) => unknown)(...(info.exportParams.get(target!) ?? []).map(zeroOf));
  };
  const exportAt = (index: number) => info.exports[index];
  // As binaryen's fuzz_shell.js: the -catch variants swallow JS exceptions but not
  // traps or host limits (here also not running out of fuel), and answer 1 if they caught one.
  const catching = (run: () => unknown): number => {
    try {
      run();
      return 0;
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError || error instanceof EdgeError) throw error;
      if (error instanceof RangeError) throw error;
      return 1;
    }
  };
  const callRef = (ref: unknown) => {
    if (typeof ref !== "function") throw new TypeError("null funcref");
    // A funcref's parameter types are not visible from JS; its arity is.
    return (ref as (...args: unknown[]) => unknown)(...Array.from({ length: ref.length }, () => 0));
  };
  const support: Record<string, (...args: never[]) => unknown> = {
    "log-i32": (v: number) => void logs.push(describe(v)),
    "log-i64": (v: bigint) => void logs.push(describe(v)),
    "log-f32": (v: number) => void logs.push(describe(v)),
    "log-f64": (v: number) => void logs.push(describe(v)),
    "log-v128": () => void logs.push("v128"),
    throw: () => {
      throw new Error("some JS error");
    },
    "table-get": (index: number) => (exports.table as WebAssembly.Table).get(index >>> 0),
    "table-set": (index: number, value: unknown) =>
      (exports.table as WebAssembly.Table).set(index >>> 0, value),
    "call-export": (index: number) => void call(exportAt(index)),
    "call-export-catch": (index: number) => catching(() => call(exportAt(index))),
    "call-ref": (ref: unknown) => void callRef(ref),
    "call-ref-catch": (ref: unknown) => catching(() => callRef(ref)),
    sleep: (_ms: number, id: number) => id,
  };
  const imports: Record<string, Record<string, unknown>> = {};
  for (const entry of WebAssembly.Module.imports(module)) {
    const table = (imports[entry.module] ??= {});
    if (entry.kind === "function") table[entry.name] = support[entry.name] ?? (() => 0);
    else if (entry.kind === "global") table[entry.name] = "extern";
  }
  if (meter) imports[METER_MODULE] = { [REFUEL_IMPORT]: () => meter.refuel() };

  const settle = (run: () => unknown): Outcome => {
    try {
      return { kind: "return", value: describe(run()) };
    } catch (error) {
      if (error instanceof EdgeError && error.code === "CONTRACT_OUT_OF_FUEL") return { kind: "out-of-fuel" };
      if (error instanceof WebAssembly.RuntimeError) return { kind: "trap", message: error.message };
      if (error instanceof Error) return { kind: "error", name: error.name };
      throw error;
    }
  };
  let outcome = settle(() => {
    const own = new WebAssembly.Instance(module, imports as WebAssembly.Imports).exports;
    if (meter) meter.attach(own);
    const start = own[START_EXPORT];
    meter?.enter(false);
    // The imports see no exports until the start function has run, as when it runs at instantiation.
    if (typeof start === "function") (start as () => void)();
    exports = own;
  });
  if (outcome.kind === "return") {
    outcome = settle(() => {
      meter?.enter(false);
      return call(name);
    });
  }
  return { logs, outcome, fuel: meter ? meter.used : null, meter };
}
