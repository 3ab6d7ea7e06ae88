// What the rewritten code charges: every loop iteration the same, bulk
// operations by their operand as the cost table says, and nothing for work
// an operation refused to do.
import { describe, expect, it } from "vitest";
import { EdgeError } from "../../../src/errors.js";
import { DEFAULT_FUEL_PER_CALL, MAX_FUEL_PER_CALL } from "../../../src/limits.js";
import { GUEST_COST } from "../../../src/metering/fuel-costs.js";
import { FuelMeter } from "../../../src/metering/fuel-meter.js";
import { meterModule } from "../../../src/metering/meter-module.js";
import { DEPTH_EXPORT, FUEL_EXPORT, START_EXPORT } from "../../../src/metering/metering-abi.js";
import { wat } from "../support/metering.js";

const WAT = `(module
  (memory 2)
  (table 1 funcref)
  (func (export "spin") (param $n i32) (local $i i32)
    (loop $again
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "fill") (param $n i32) (memory.fill (i32.const 0) (i32.const 1) (local.get $n)))
  (func (export "copy") (param $n i32) (memory.copy (i32.const 0) (i32.const 8) (local.get $n)))
  (func (export "grow") (param $n i32) (result i32) (memory.grow (local.get $n)))
  (func (export "grow-table") (param $n i32) (result i32) (table.grow (ref.null func) (local.get $n))))`;
const bytes = wat(WAT, { bulk_memory: true, reference_types: true });
const original = new WebAssembly.Module(bytes);
const metered = new WebAssembly.Module(meterModule(bytes).bytes);

type Call = { value: unknown; fuel: number } | { error: string; fuel: number };

function call(name: string, arg: number, limit = 1e12): Call {
  const meter = new FuelMeter({ limit, slice: 1e6, depthLimit: 100 });
  const { exports } = new WebAssembly.Instance(metered, { edge_meter: { refuel: () => meter.refuel() } });
  meter.attach(exports);
  meter.enter(false);
  try {
    return { value: (exports[name] as (n: number) => unknown)(arg), fuel: meter.used };
  } catch (error) {
    return { error: error instanceof EdgeError ? error.code : String(error), fuel: meter.used };
  }
}

function unmetered(name: string, arg: number): unknown {
  return (new WebAssembly.Instance(original).exports[name] as (n: number) => unknown)(arg);
}

const fuelOf = (name: string, arg: number) => call(name, arg).fuel;

describe("charges", () => {
  it("every loop iteration costs the same, and more than nothing", () => {
    const step = fuelOf("spin", 2) - fuelOf("spin", 1);
    expect(step).toBeGreaterThan(0);
    for (const n of [3, 10, 1000]) expect(fuelOf("spin", n) - fuelOf("spin", n - 1)).toBe(step);
  });

  it.each(["fill", "copy"])(
    "memory.%s costs one unit per 2^bulkByteShift bytes on top of its fixed cost",
    (op) => {
      const base = fuelOf(op, 0);
      for (const n of [15, 16, 17, 4096, 65536, 131072]) {
        expect({ n, extra: fuelOf(op, n) - base }).toEqual({
          n,
          extra: Math.floor(n / 2 ** GUEST_COST.bulkByteShift),
        });
      }
    },
  );

  it("a granted memory.grow costs its pages scaled by 2^growPageShift, table.grow its elements", () => {
    expect(call("grow", 1)).toMatchObject({ value: 2 });
    expect(fuelOf("grow", 3) - fuelOf("grow", 0)).toBe(3 * 2 ** GUEST_COST.growPageShift);
    expect(fuelOf("grow-table", 1000) - fuelOf("grow-table", 0)).toBe(
      1000 * 2 ** GUEST_COST.tableElementShift,
    );
  });

  it("the last unit of a budget is enough, one less is not", () => {
    const need = fuelOf("fill", 65536);
    expect(call("fill", 65536, need)).toEqual({ value: undefined, fuel: need });
    expect(call("fill", 65536, need - 1)).toEqual({ error: "CONTRACT_OUT_OF_FUEL", fuel: need - 1 });
  });
});

describe("refused growth is not charged as if it happened", () => {
  // A grow the engine refuses (more than wasm32's 65536 pages, or 2^32 - 1) answers -1 and does no work.
  it.each([
    ["grow", 0xffff_ffff, MAX_FUEL_PER_CALL],
    ["grow", 1 << 20, DEFAULT_FUEL_PER_CALL],
    ["grow-table", 0xffff_ffff, DEFAULT_FUEL_PER_CALL],
  ])("%s(%i) answers -1 metered as unmetered within a budget of %d", (name, n, limit) => {
    expect(unmetered(name, n)).toBe(-1);
    expect(call(name, n, limit)).toMatchObject({ value: -1 });
  });
});

describe("modules that need the sections the rewriter adds", () => {
  it.each([
    ["an empty module", "(module)"],
    ["a memory only", "(module (memory 1))"],
    [
      "a start function and no exports",
      "(module (global $g (mut i32) (i32.const 0)) (func $s (global.set $g (i32.const 1))) (start $s))",
    ],
  ])("%s meters into a valid module with the fuel and depth globals", (_, text) => {
    const out = meterModule(wat(text)).bytes;
    expect(WebAssembly.validate(out)).toBe(true);
    const names = WebAssembly.Module.exports(new WebAssembly.Module(out)).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining([FUEL_EXPORT, DEPTH_EXPORT]));
    expect(names.includes(START_EXPORT)).toBe(text.includes("(start"));
  });
});
