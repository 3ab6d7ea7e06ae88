// The rewriter refuses, by a stable feature name, everything it cannot meter,
// and meters everything else the platform accepts so that it still validates
// and computes what it computed before.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FuelMeter } from "../../../src/metering/fuel-meter.js";
import { meterModule } from "../../../src/metering/meter-module.js";
import { START_EXPORT } from "../../../src/metering/metering-abi.js";
import { buildArtifact } from "../support/wasm.js";
import { binary, funcModule, moduleInfo, section, thrown, vec, wat } from "../support/metering.js";

/** The refusal `meterModule` gives: its code and feature, and (when `at` is asked for) the byte its offset points at. */
function refusal(bytes: Uint8Array, at = false) {
  const { code, details } = thrown(() => meterModule(bytes));
  const offset = typeof details?.offset === "number" ? details.offset : -1;
  return { code, feature: details?.feature, ...(at ? { byteAtOffset: bytes[offset] } : {}) };
}

const refused = (feature: string, byteAtOffset?: number) => ({
  code: "WASM_FEATURE_UNSUPPORTED",
  feature,
  ...(byteAtOffset === undefined ? {} : { byteAtOffset }),
});

// `[] -> []` function bodies for instructions wabt cannot write (or writes in an old encoding).
const v128 = [0xfd, 0x0c, ...Array.from({ length: 16 }, () => 0)];
const declareFunc0 = section(9, vec([[0x03, 0x00, ...vec([[0]])]]));
const withRef = (code: number[]) => funcModule(code, { extra: [declareFunc0] });
// Typed references and GC in the standard (wasm 3.0) opcodes: each one a module node's V8 accepts.
const typedRefs = {
  callRef: withRef([0xd2, 0x00, 0x14, 0x00]),
  asNonNull: withRef([0xd2, 0x00, 0xd4, 0x1a]),
  brOnNull: withRef([0x02, 0x40, 0xd2, 0x00, 0xd5, 0x00, 0x1a, 0x0b]),
  brOnNonNull: withRef([0x02, 0x70, 0xd0, 0x70, 0xd6, 0x00, 0xd0, 0x70, 0x0b, 0x1a]),
  // ref.eq on the polymorphic stack after unreachable: no eqref operand needed.
  refEq: funcModule([0x00, 0xd3, 0x1a]),
  // A local of type (ref null 0).
  typedLocal: binary(
    section(1, vec([[0x60, 0, 0]])),
    section(3, vec([[0]])),
    section(10, vec([[5, ...vec([[1, 0x63, 0x00]]), 0x0b]])),
  ),
  anyrefParam: binary(section(1, vec([[0x60, 1, 0x6e, 0]]))),
  anyrefBlock: funcModule([0x02, 0x6e, 0xd0, 0x6e, 0x0b, 0x1a]),
};

describe("refused features", () => {
  const cases: Array<[string, string, Uint8Array, number?]> = [
    [
      "threads",
      "an atomic instruction on an unshared memory",
      wat("(module (memory 1 1) (func (result i32) (i32.atomic.load (i32.const 0))))"),
      0xfe,
    ],
    ["threads", "a shared memory", wat("(module (memory 1 1 shared))")],
    ["threads", "an imported shared memory", wat('(module (import "env" "m" (memory 1 1 shared)))')],
    [
      "exception-handling",
      "try/catch/throw with a tag",
      wat("(module (tag $t (param i32)) (func (try (do (throw $t (i32.const 1))) (catch $t drop))))"),
    ],
    [
      "exception-handling",
      "try/catch_all without a tag",
      wat("(module (func (try (do nop) (catch_all))))"),
      0x06,
    ],
    ["exception-handling", "an imported tag", wat('(module (import "env" "t" (tag (param i32))))')],
    ["tail-call", "return_call", wat("(module (func $f) (func (return_call $f)))"), 0x12],
    [
      "tail-call",
      "return_call_indirect",
      wat(
        "(module (type $t (func)) (table 1 funcref) (func (return_call_indirect (type $t) (i32.const 0))))",
      ),
      0x13,
    ],
    ["function-references", "call_ref", typedRefs.callRef, 0x14],
    ["function-references", "ref.as_non_null (0xd4)", typedRefs.asNonNull, 0xd4],
    ["function-references", "br_on_null (0xd5)", typedRefs.brOnNull, 0xd5],
    ["function-references", "br_on_non_null (0xd6)", typedRefs.brOnNonNull, 0xd6],
    ["gc", "a struct type", wat("(module (type $s (struct (field i32))))")],
    ["gc", "an array type", binary(section(1, vec([[0x5e, 0x78, 0x01]])))],
    ["gc", "a recursion group", binary(section(1, vec([[0x4e, ...vec([[0x60, 0, 0]])]])))],
    ["gc", "a struct instruction", funcModule([0xfb, 0x01, 0x00, 0x1a]), 0xfb],
    ["gc", "ref.eq (0xd3)", typedRefs.refEq, 0xd3],
    ["gc", "a typed reference local", typedRefs.typedLocal],
    ["gc", "an anyref parameter", typedRefs.anyrefParam],
    ["gc", "an anyref block type", typedRefs.anyrefBlock],
    [
      "relaxed-simd",
      "i8x16.relaxed_swizzle (0xfd 0x100)",
      wat(
        "(module (func (result v128) (i8x16.relaxed_swizzle (v128.const i64x2 0 0) (v128.const i64x2 0 0))))",
      ),
      0xfd,
    ],
    [
      "relaxed-simd",
      "the last relaxed opcode (0xfd 0x113)",
      funcModule([...v128, ...v128, ...v128, 0xfd, 0x93, 0x02, 0x1a]),
      0xfd,
    ],
    ["multi-memory", "two memories", wat("(module (memory 1) (memory 1))")],
    [
      "multi-memory",
      "an imported and a defined memory",
      wat('(module (import "env" "m" (memory 1)) (memory 1))'),
    ],
    [
      "multi-memory",
      "a load from memory 1",
      funcModule([0x41, 0, 0x28, 0x42, 0x01, 0x00, 0x1a], { memory: true }),
    ],
    ["multi-memory", "memory.size of memory 1", funcModule([0x3f, 0x01, 0x1a], { memory: true })],
    ["memory64", "a 64-bit memory", wat("(module (memory i64 1))")],
    ["memory64", "a 64-bit table", binary(section(4, vec([[0x70, 0x04, 0x01]])))],
    ["reserved-name", "an export named __edge_x", wat('(module (func (export "__edge_x")))')],
    ["reserved-name", "an import from edge_meter", wat('(module (import "edge_meter" "refuel" (func)))')],
    ["unknown-opcode", "an unassigned 0xfc opcode", funcModule([0xfc, 18]), 0xfc],
  ];

  it.each(cases)("%s: %s", (feature, _what, bytes, byteAtOffset) => {
    expect(refusal(bytes, byteAtOffset !== undefined)).toEqual(refused(feature, byteAtOffset));
  });

  it.each(Object.entries(typedRefs))(
    "the hand-made %s module is valid for node: its refusal is real",
    (_, bytes) => {
      expect(WebAssembly.validate(bytes)).toBe(true);
    },
  );

  it.each([19, 20, 21, 22])("wide-arithmetic: 0xfc %i", (sub) => {
    const zero = [0x42, 0x00];
    const bytes = funcModule([...zero, ...zero, ...zero, ...zero, 0xfc, sub, 0x1a, 0x1a]);
    expect(refusal(bytes, true)).toEqual(refused("wide-arithmetic", 0xfc));
  });

  it.each([
    ["uses-atomics", "threads"],
    ["uses-exceptions", "exception-handling"],
    ["uses-tail-calls", "tail-call"],
    ["uses-two-memories", "multi-memory"],
    ["uses-reserved-name", "reserved-name"],
  ])("the %s fixture: %s", (fixture, feature) => {
    expect(refusal(buildArtifact(`contracts/${fixture}.wasm`))).toEqual(refused(feature));
  });
});

// Every accepted feature in one module; `run(x)` folds all of their results together.
const ACCEPTED = readFileSync(new URL("./accepted-features.wat", import.meta.url), "utf8");
const accepted = wat(
  ACCEPTED,
  { simd: true, reference_types: true, bulk_memory: true, multi_value: true },
  true,
);
const SEED = 5;

function runUnmetered(x: number): bigint {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(accepted), { env: { seed: () => SEED } });
  return (instance.exports.run as (x: number) => bigint)(x);
}

function runMetered(bytes: Uint8Array<ArrayBuffer>, x: number, start = true) {
  const meter = new FuelMeter({ limit: 1e9, slice: 1e6, depthLimit: 1000 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: { seed: () => SEED },
    edge_meter: { refuel: () => meter.refuel() },
  });
  meter.attach(instance.exports);
  meter.enter(false);
  if (start) (instance.exports[START_EXPORT] as () => void)();
  meter.enter(false);
  return { value: (instance.exports.run as (x: number) => bigint)(x), fuel: meter.used };
}

describe("accepted features", () => {
  const report = meterModule(accepted);

  it("meter without error into a module WebAssembly.validate accepts", () => {
    expect(WebAssembly.validate(accepted)).toBe(true);
    expect(report.functions).toBe(11);
    expect(WebAssembly.validate(report.bytes)).toBe(true);
  });

  it("compute the same results metered as unmetered, and pay more fuel for more loop iterations", () => {
    const fuels: number[] = [];
    for (const x of [1, 2, 3, 4, 9]) {
      const { value, fuel } = runMetered(report.bytes, x);
      expect({ x, value }).toEqual({ x, value: runUnmetered(x) });
      fuels.push(fuel);
    }
    expect(fuels[0]).toBeGreaterThan(0);
    for (let i = 1; i < fuels.length; i++) expect(fuels[i]).toBeGreaterThan(fuels[i - 1]!);
  });

  it("move the start function to __edge_start: instantiation alone does not run it", () => {
    const withStart = runMetered(report.bytes, 3).value;
    const withoutStart = runMetered(report.bytes, 3, false).value;
    expect(withStart - withoutStart).toBe(BigInt(SEED + 100));
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(report.bytes)).map((e) => e.name);
    expect(exports).toContain(START_EXPORT);
  });

  it("keep the name section, with function and local names renumbered past the refuel import", () => {
    const before = moduleInfo(accepted);
    const after = moduleInfo(report.bytes);
    expect(before.functionNames.size).toBeGreaterThan(5);
    expect(before.localNames.size).toBeGreaterThan(5);
    // Function 0 is the import; defined functions move up by one.
    const shift = <V>(names: Map<number, V>) => new Map([...names].map(([i, v]) => [i === 0 ? 0 : i + 1, v]));
    expect(after.functionNames).toEqual(shift(before.functionNames));
    expect(after.localNames).toEqual(shift(before.localNames));
  });
});
