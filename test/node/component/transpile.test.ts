// The platform's transpiler (jco's bindgen, rebuilt by scripts/build-bindgen.mjs) against the
// `jco transpile` CLI: same component, same options, the same files byte for byte. Then how it
// reports bad input, and that it keeps working after.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { componentEmbed, componentNew, preview1AdapterReactorPath } from "@bytecodealliance/jco";
import createWabt from "wabt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EdgeError } from "../../../src/errors.js";
import { ASYNC_EXPORTS, ASYNC_IMPORTS } from "../../../src/component/async-imports.js";
import { createTranspiler, type TranspiledComponent } from "../../../src/component/transpile-component.js";

const NODE = "node_modules/.bin/node";
const JCO = "node_modules/@bytecodealliance/jco/dist/jco.js";
const BIG = "build/bindgen/js-component-bindgen.component.wasm";

const loadCore = (name: string) => new WebAssembly.Module(readFileSync(`build/bindgen/${name}`));

async function sampleCore(): Promise<Uint8Array> {
  const wabt = await createWabt();
  const module = wabt.parseWat(
    "transpile-sample.wat",
    readFileSync("test/support/transpile-sample.wat", "utf8"),
  );
  const { buffer } = module.toBinary({});
  module.destroy();
  return buffer;
}

async function sampleComponent(core: Uint8Array): Promise<Uint8Array> {
  const embedded = await componentEmbed({
    binary: core,
    witSource: readFileSync("wit/edge-contract.wit", "utf8"),
    world: "file-contract",
  });
  return componentNew(embedded, [["wasi_snapshot_preview1", readFileSync(preview1AdapterReactorPath())]]);
}

/** `jco transpile` run as a user would, files by name (its .d.ts files left out: we emit none). */
function cliTranspile(dir: string, component: Uint8Array, name: string): Map<string, Buffer> {
  const input = join(dir, `${name}.wasm`);
  const out = join(dir, name);
  writeFileSync(input, component);
  const args = [JCO, "transpile", input, "-o", out, "--name", name, "--instantiation", "async"];
  args.push("--no-nodejs-compat", "--base64-cutoff", "0", "--no-component-error-wrapping", "-q");
  args.push("--async-mode", "jspi", "--async-imports", ...ASYNC_IMPORTS, "--async-exports", ...ASYNC_EXPORTS);
  const run = spawnSync(NODE, args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`jco transpile failed: ${run.stderr}`);
  const files = readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".d.ts"))
    .map(
      (entry) =>
        [
          join(entry.parentPath, entry.name).slice(out.length + 1),
          readFileSync(join(entry.parentPath, entry.name)),
        ] as const,
    );
  return new Map(files);
}

function ourFiles(result: TranspiledComponent, name: string): Map<string, Buffer> {
  return new Map([
    [`${name}.js`, Buffer.from(result.js)],
    ...result.coreModules.map(({ name: file, bytes }) => [file, Buffer.from(bytes)] as const),
  ]);
}

/** The files that are not byte-identical (or not in both), by name. */
function differences(ours: Map<string, Buffer>, cli: Map<string, Buffer>): string[] {
  const names = new Set([...ours.keys(), ...cli.keys()]);
  // Buffer.equals, not toEqual: a 3.5 MB diff would drown the report.
  return [...names].filter((name) => !(ours.get(name)?.equals(cli.get(name) ?? Buffer.alloc(0)) ?? false));
}

// Generous timeouts: the CLI runs in a child process and the big component takes seconds on a busy machine.
const SLOW = 120_000;

describe("transpileComponent (jco's bindgen, rebuilt)", { timeout: SLOW }, () => {
  const transpile = createTranspiler(loadCore);
  let dir: string;
  let core: Uint8Array;
  let sample: Uint8Array;
  let first: TranspiledComponent;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "transpile-test-"));
    core = await sampleCore();
    sample = await sampleComponent(core);
    // The very first call instantiates the bindgen (compiling its 3.5 MB core module in node).
    first = await transpile(sample, "transpile-sample");
  }, SLOW);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is the component the build hands to the workerd tests", () => {
    expect(Buffer.from(sample).equals(readFileSync("build/contracts/transpile-sample.wasm"))).toBe(true);
  });

  it("produces exactly what the jco CLI produces for a small component", () => {
    const cli = cliTranspile(dir, sample, "transpile-sample");
    expect(cli.size).toBe(5);
    expect(differences(ourFiles(first, "transpile-sample"), cli)).toEqual([]);
  });

  it("emits instantiation-style glue: every core module separate, none compiled at run time", () => {
    expect(first.coreModules.map(({ name }) => name)).toEqual([
      "transpile-sample.core.wasm",
      "transpile-sample.core2.wasm",
      "transpile-sample.core3.wasm",
      "transpile-sample.core4.wasm",
    ]);
    for (const { name } of first.coreModules) expect(first.js).toContain(`getCoreModule('${name}')`);
    expect(first.js).not.toMatch(/base64Compile\('/);
    expect(first.js).toMatch(/^export function instantiate\(getCoreModule, imports/m);
  });

  it("suspends on the filesystem and stream imports and makes `run` promising (JSPI)", () => {
    // Each import trampoline names the function it lowers; jco makes the async ones `async`.
    const trampolines = first.js.split(/(?=^\s*const _trampoline\d+ = )/m).slice(1);
    const modes = Object.fromEntries(
      trampolines.map((source) => [
        /funcName: '([^']+)'/.exec(source)?.[1] ?? "?",
        /^\s*const _trampoline\d+ = async function/.test(source) ? "async" : "sync",
      ]),
    );
    expect(modes).toMatchObject({
      "[method]descriptor.stat": "async",
      "[method]descriptor.open-at": "async",
      "[method]descriptor.read-via-stream": "async",
      "[method]descriptor.write-via-stream": "async",
      "[method]descriptor.append-via-stream": "async",
      "[method]input-stream.read": "async",
      "[method]input-stream.blocking-read": "async",
      "[method]output-stream.write": "async",
      "[method]output-stream.check-write": "async",
      "[method]output-stream.blocking-write-and-flush": "async",
      "[method]descriptor.get-type": "sync",
      "get-directories": "sync",
      "get-stdout": "sync",
    });
    expect(first.js).toMatch(/WebAssembly\.promising\(exports\d+\.run\)/);
  });

  it("suspends on an older WASI version too: the async names carry no version", async () => {
    // A component importing wasi:filesystem/types@0.2.0 directly (as older toolchains emit).
    const wabt = await createWabt();
    const module = wabt.parseWat(
      "old-wasi.wat",
      `(module
        (import "wasi:filesystem/types@0.2.0" "[method]descriptor.stat" (func (param i32) (result i64)))
        (memory (export "memory") 1)
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64))
        (func (export "run") (param i32 i32) (result i32) (i32.const 16)))`,
    );
    const { buffer } = module.toBinary({});
    module.destroy();
    const witSource = `${readFileSync("wit/edge-contract.wit", "utf8").replace(
      "world file-contract {",
      "world file-contract {\n  import wasi:filesystem/types@0.2.0;",
    )}
package wasi:filesystem@0.2.0 {
  interface types { resource descriptor { stat: func() -> u64; } }
}`;
    const old = await componentNew(
      await componentEmbed({ binary: buffer, witSource, world: "file-contract" }),
      [],
    );
    const result = await transpile(old, "old-wasi");
    expect(result.imports).toEqual(["wasi:filesystem/types@0.2.0"]);
    expect(result.js.match(/^\s*_trampoline\d+\.manuallyAsync = true;$/gm)).toHaveLength(1);
  });

  it("reports the component's imports, with their versions, and exports", () => {
    expect(first.exports).toEqual([["run", "function"]]);
    // The reactor adapter's WASI version; the glue's import object keys drop it.
    const wasi = (name: string) => `wasi:${name}@0.2.12`;
    expect(first.imports).toEqual(
      expect.arrayContaining([wasi("filesystem/types"), wasi("filesystem/preopens"), wasi("io/streams")]),
    );
    expect(first.imports).toContain(wasi("cli/stdout"));
    expect(first.importKeys).toEqual(
      expect.arrayContaining([
        "wasi:filesystem/types",
        "wasi:filesystem/preopens",
        "wasi:io/streams",
        "wasi:cli/stdout",
      ]),
    );
    // Every key is a versioned import without its version; the binary may list more (an
    // interface imported only for its types: wall-clock's datetime in filesystem stats).
    const unversioned = new Set(first.imports.map((name) => name.replace(/@[^@]*$/, "")));
    for (const key of first.importKeys) expect(unversioned).toContain(key);
    expect(first.imports).toContain(wasi("clocks/wall-clock"));
    expect(first.importKeys).not.toContain("wasi:clocks/wall-clock");
  });

  it("produces exactly what the jco CLI produces for a big component", async () => {
    const big = readFileSync(BIG);
    const bigResult = await transpile(big, "big");
    expect(differences(ourFiles(bigResult, "big"), cliTranspile(dir, big, "big"))).toEqual([]);
  });

  async function refusal(bytes: Uint8Array): Promise<EdgeError> {
    const error: unknown = await transpile(bytes, "refused").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EdgeError);
    expect((error as EdgeError).code).toBe("COMPONENT_INVALID");
    expect((error as EdgeError).status).toBe(422);
    return error as EdgeError;
  }

  it("refuses garbage and core modules as COMPONENT_INVALID, then keeps working", async () => {
    expect((await refusal(new TextEncoder().encode("(component)"))).message).toMatch(
      /not a WebAssembly binary/,
    );
    expect((await refusal(new Uint8Array(3))).message).toMatch(/not a WebAssembly binary/);
    expect((await refusal(core)).message).toMatch(/core WebAssembly module, not a component/);
    // Past the preamble, jco's own parser speaks: its error string comes back as the message.
    const truncated = (await refusal(sample.subarray(0, 200))).message;
    expect(truncated).toMatch(/^not a usable component: /);
    const corrupt = sample.slice();
    corrupt.fill(0xff, 100, 140);
    expect((await refusal(corrupt)).message).toMatch(/^not a usable component: /);
    const again = await transpile(sample, "transpile-sample");
    expect(again.js).toBe(first.js);
  });

  it("retries instantiation after it failed instead of caching the failure", async () => {
    let calls = 0;
    const flaky = createTranspiler((name) => {
      calls += 1;
      if (calls === 1) throw new Error("core module store unavailable");
      return loadCore(name);
    });
    await expect(flaky(sample, "transpile-sample")).rejects.toThrow(/core module store unavailable/);
    expect((await flaky(sample, "transpile-sample")).js).toBe(first.js);
  });

  it("refuses a name that would not be a plain file name", async () => {
    await expect(transpile(sample, "../x")).rejects.toThrow(/plain lower-case name/);
  });
});
