// Debug names survive metering and still name the right functions and locals.
import createWabt from "wabt";
import { describe, expect, it } from "vitest";
import { meterModule } from "../../../src/metering/meter-module.js";

const WAT = `(module
  (import "env" "log" (func $log (param i32)))
  (memory (export "memory") 1)
  (func $helper (param $value i32) (result i32) (local $twice i32)
    (local.set $twice (i32.add (local.get $value) (local.get $value)))
    (local.get $twice))
  (func $entry (export "entry") (param $seed i32) (result i32)
    (call $log (local.get $seed))
    (call $helper (local.get $seed))))`;

describe("the name section after metering", () => {
  it("keeps function and local names on the functions they belonged to", async () => {
    const wabt = await createWabt();
    const source = wabt.parseWat("names.wat", WAT);
    const original = new Uint8Array(source.toBinary({ write_debug_names: true }).buffer);
    source.destroy();
    const metered = meterModule(original).bytes;
    const text = (bytes: Uint8Array) => {
      const module = wabt.readWasm(bytes, { readDebugNames: true });
      module.applyNames();
      const out = module.toText({ foldExprs: false });
      module.destroy();
      return out;
    };
    const wat = text(metered);
    // The import keeps index 0; $helper and $entry moved up past edge_meter.refuel, and so did their names.
    expect(wat).toMatch(/\(func \$helper \(type \d+\) \(param \$value i32\) \(result i32\)/);
    expect(wat).toMatch(/\(local \$twice i32\)/);
    expect(wat).toMatch(/\(func \$entry \(type \d+\) \(param \$seed i32\)/);
    expect(wat).toMatch(/call \$helper/);
    expect(wat).toMatch(/call \$log/);
    expect(text(original)).toMatch(/call \$helper/);
    const logged: number[] = [];
    const instance = new WebAssembly.Instance(new WebAssembly.Module(original), {
      env: { log: (v: number) => logged.push(v) },
    });
    expect((instance.exports.entry as (n: number) => number)(21)).toBe(42);
  });
});
