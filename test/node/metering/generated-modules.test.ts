// Property tests on random modules from binaryen's translate-to-fuzz (-ttf):
// metering yields valid modules that log, return and trap exactly as before,
// stop with CONTRACT_OUT_OF_FUEL when the budget is tiny, and charge the same
// fuel on every fresh instance. Seeds come from fast-check; a failure names the
// fast-check seed (METERING_TTF_SEED reproduces it; METERING_TTF_MODULES sets how many), the module and the export.
import fc from "fast-check";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EdgeError } from "../../../src/errors.js";
import type { FuelOptions } from "../../../src/metering/fuel-meter.js";
import { meterModule } from "../../../src/metering/meter-module.js";
import { moduleInfo, runExport, type ExportRun, type ModuleInfo } from "../support/metering.js";

const MODULES = Number(process.env.METERING_TTF_MODULES ?? 12);
const PARALLEL = 2;
const SEED = Number(process.env.METERING_TTF_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WASM_OPT = new URL("../../../node_modules/binaryen/bin/wasm-opt", import.meta.url).pathname;
// Everything the rewriter meters, nothing it refuses (this binaryen accepts all of these flags).
const FEATURES = [
  "--disable-gc",
  "--disable-exception-handling",
  "--disable-threads",
  "--disable-tail-call",
  "--disable-relaxed-simd",
  "--disable-multimemory",
  "--disable-memory64",
  "--enable-simd",
  "--enable-bulk-memory",
  "--enable-sign-ext",
  "--enable-nontrapping-float-to-int",
  "--enable-multivalue",
  "--enable-reference-types",
];
// Features binaryen emits even with the flags above: ref.as_non_null comes with its reference types.
const REFUSABLE = ["function-references"];
const GENEROUS: FuelOptions = { limit: 1e9, slice: 1e5, depthLimit: 5000 };
const TINY: FuelOptions = { limit: 1000, slice: 64, depthLimit: 5000 };

interface Generated {
  index: number;
  bytes: Uint8Array<ArrayBuffer>;
  info: ModuleInfo;
  original: WebAssembly.Module;
  /** Absent when the rewriter refused the module (see REFUSABLE). */
  metered?: Uint8Array<ArrayBuffer>;
  refused?: unknown;
  /** Function exports of the original module. */
  exports: string[];
}

const dir = mkdtempSync(join(tmpdir(), "metering-ttf-"));
const generated: Generated[] = [];
const run = promisify(execFile);

async function generate(index: number, seed: Uint8Array): Promise<Generated> {
  const seedFile = join(dir, `seed-${index}.bin`);
  const out = join(dir, `module-${index}.wasm`);
  writeFileSync(seedFile, seed);
  await run(process.execPath, [WASM_OPT, "-ttf", seedFile, "-o", out, ...FEATURES]);
  const bytes = new Uint8Array(readFileSync(out));
  const info = moduleInfo(bytes);
  const module = {
    index,
    bytes,
    info,
    original: new WebAssembly.Module(bytes),
    exports: [...info.exportParams.keys()],
  };
  try {
    return { ...module, metered: meterModule(bytes).bytes };
  } catch (error) {
    if (!(error instanceof EdgeError) || error.code !== "WASM_FEATURE_UNSUPPORTED") throw error;
    return { ...module, refused: error.details?.feature };
  }
}

beforeAll(async () => {
  const seeds = fc.sample(fc.uint8Array({ minLength: 1000, maxLength: 4000 }), {
    numRuns: MODULES,
    seed: SEED,
  });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < seeds.length; i = next++) generated.push(await generate(i, seeds[i]!));
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  generated.sort((a, b) => a.index - b.index);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Calls `check` for every function export of every module the rewriter accepted (compiled once). */
function forEachExport(
  check: (where: string, g: Generated, metered: WebAssembly.Module, name: string) => void,
) {
  for (const g of generated) {
    if (!g.metered) continue;
    const metered = new WebAssembly.Module(g.metered);
    for (const name of g.exports) check(`seed ${SEED}, module ${g.index}, export ${name}`, g, metered, name);
  }
}

/** What a run did, without the meter. */
const observed = (r: ExportRun) => ({ logs: r.logs, outcome: r.outcome });

describe(`modules from binaryen -ttf (fast-check seed ${SEED})`, () => {
  it("generates modules with exports to call; the rewriter refuses only features the flags cannot rule out", () => {
    expect(generated).toHaveLength(MODULES);
    const refused = generated.filter((g) => g.metered === undefined);
    for (const g of refused)
      expect({ module: g.index, refused: g.refused }).toEqual({
        module: g.index,
        refused: expect.toBeOneOf(REFUSABLE),
      });
    expect(refused.length).toBeLessThanOrEqual(MODULES / 2);
    expect(generated.reduce((n, g) => n + (g.metered ? g.exports.length : 0), 0)).toBeGreaterThan(
      MODULES / 2,
    );
  });

  it("(a) every module the rewriter accepts validates, and so does its metered output", () => {
    for (const g of generated.filter((m) => m.metered)) {
      const valid = { original: WebAssembly.validate(g.bytes), metered: WebAssembly.validate(g.metered!) };
      expect({ module: g.index, seed: SEED, valid }).toEqual({
        module: g.index,
        seed: SEED,
        valid: { original: true, metered: true },
      });
    }
  });

  it("(b, c) with a generous budget: the same logs, results and traps as unmetered, and fuel never runs out", () => {
    const seen = { returned: 0, trapped: 0, logged: 0 };
    forEachExport((where, g, metered, name) => {
      const before = runExport(g.original, g.info, name);
      const after = runExport(metered, g.info, name, GENEROUS);
      expect({ where, ...observed(after) }).toEqual({ where, ...observed(before) });
      expect({ where, exhausted: after.meter!.exhausted }).toEqual({ where, exhausted: false });
      if (before.outcome.kind === "return") seen.returned++;
      if (before.outcome.kind === "trap") seen.trapped++;
      if (before.logs.length > 0) seen.logged++;
    });
    // The modules did something worth comparing.
    expect(seen.returned).toBeGreaterThan(0);
    expect(seen.trapped).toBeGreaterThan(0);
    expect(seen.logged).toBeGreaterThan(0);
  });

  it("(c) with a tiny budget, or one unit less than an export needs, it stops out of fuel having logged a prefix", () => {
    forEachExport((where, g, metered, name) => {
      const before = runExport(g.original, g.info, name);
      const needed = runExport(metered, g.info, name, GENEROUS).fuel!;
      for (const limit of [TINY.limit, Math.max(0, needed - 1), needed]) {
        const tiny = runExport(metered, g.info, name, { ...TINY, limit });
        // Out of fuel exactly when the budget is below what the call needs, whatever the slice.
        const stopped = limit < needed;
        expect({ where, limit, ...observed(tiny), used: tiny.fuel }).toEqual({
          where,
          limit,
          logs: stopped ? before.logs.slice(0, tiny.logs.length) : before.logs,
          outcome: stopped ? { kind: "out-of-fuel" } : before.outcome,
          used: stopped ? limit : needed,
        });
      }
    });
  });

  it("(d) the fuel an export uses is the same on two fresh instances, and more than zero once guest code ran", () => {
    forEachExport((where, g, metered, name) => {
      const first = runExport(metered, g.info, name, GENEROUS);
      const second = runExport(metered, g.info, name, GENEROUS);
      expect({ where, fuel: second.fuel, ...observed(second) }).toEqual({
        where,
        fuel: first.fuel,
        ...observed(first),
      });
      // Only a call refused at the JS boundary (a v128 or i64 argument it cannot take) runs no guest code.
      expect({ where, charged: first.fuel! > 0 || first.outcome.kind === "error" }).toEqual({
        where,
        charged: true,
      });
    });
  });
});
