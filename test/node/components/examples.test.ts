// The example component contracts (contracts/components/*, built by `npm run build` into
// build/contracts/<name>.wasm) are well-formed file-contract components and behave: each is
// transpiled with the pinned jco (`instantiation: "async"`, as the platform does), its core
// modules validate, its exports are exactly the world's `run`, its imports stay inside the WASI
// 0.2 set the platform serves, and it runs in node against jco's own preview2-shim with two
// host directories as the `/` and `/params` preopens. The platform's VFS host is tested
// elsewhere; this only shows the guests are right.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { componentWit, transpile } from "@bytecodealliance/jco";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const APT =
  "apt-get install rustc libstd-rust-dev-wasm32 clang lld wasi-libc libclang-rt-14-dev-wasm32 cargo";
const KV = "build/contracts/kv-notebook.wasm";
const JOURNAL = "build/contracts/journal-rs.wasm";
const journalBuilt = existsSync(JOURNAL);
/** Appended to the journal tests' names, so a skipped run says why in the report. */
const NEEDS_RUST = journalBuilt ? "" : ` [skipped: no Rust toolchain, ${APT}]`;
if (!journalBuilt) {
  console.warn(
    `skipping the journal-rs component tests: ${JOURNAL} was not built because Debian's Rust ` +
      `toolchain is not installed (${APT}; then npm run build)`,
  );
}

/** The interfaces a component contract may import (issue 12, item 1), at any 0.2.x version. */
const ALLOWED_IMPORT =
  /^wasi:(filesystem\/(types|preopens)|io\/(streams|error|poll)|cli\/(stdin|stdout|stderr|environment|exit|terminal-[a-z-]+)|clocks\/[a-z-]+|random\/[a-z-]+)@0\.2\.\d+$/;

// jco's own preview2-shim (a dependency of jco, not of this project), found from jco's package.
const jcoRequire = createRequire(createRequire(import.meta.url).resolve("@bytecodealliance/jco"));
function shimPath(name: string): string | null {
  try {
    return jcoRequire.resolve(`@bytecodealliance/preview2-shim/${name}`);
  } catch {
    return null;
  }
}
const SHIM = ["cli", "filesystem", "io", "clocks", "random"].map(shimPath);
const shimMissing = SHIM.some((path) => path === null);
if (shimMissing)
  console.warn("skipping component runs: jco's @bytecodealliance/preview2-shim is not installed");

type Interface = Record<string, unknown>;
interface Shim {
  cli: Record<string, Interface>;
  filesystem: { createFilesystem(opts: { preopens: Record<string, string> }): Record<string, Interface> };
  io: Record<string, Interface>;
  clocks: Record<string, Interface>;
  random: Record<string, Interface>;
}
interface Instance {
  run(input: Uint8Array): Uint8Array;
}
interface Guest extends Instance {
  /** The guest module's linear memory. */
  memory: WebAssembly.Memory;
}
interface Glue {
  instantiate(
    getCoreModule: (path: string) => Promise<WebAssembly.Module>,
    imports: Record<string, Interface>,
    instantiateCore?: (
      module: WebAssembly.Module,
      imports: WebAssembly.Imports,
    ) => Promise<WebAssembly.Instance>,
  ): Promise<Instance>;
}

interface Transpiled {
  dir: string;
  glue: Glue;
  cores: Record<string, Uint8Array>;
  imports: string[];
  exports: [string, string][];
  wit: string;
}

const scratch = mkdtempSync(join(tmpdir(), "component-examples-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function transpileComponent(path: string, name: string): Promise<Transpiled> {
  const component = readFileSync(path);
  const out = await transpile(component, {
    name,
    instantiation: "async",
    nodejsCompat: false,
    noTypescript: true,
  });
  const dir = join(scratch, name);
  const cores: Record<string, Uint8Array> = {};
  for (const [file, bytes] of Object.entries(out.files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), bytes);
    if (file.endsWith(".wasm")) cores[file] = bytes;
  }
  const glue = (await import(pathToFileURL(join(dir, `${name}.js`)).href)) as Glue;
  return { dir, glue, cores, imports: out.imports, exports: out.exports, wit: await componentWit(component) };
}

let shim: Shim;
beforeAll(async () => {
  if (shimMissing) return;
  const [cli, filesystem, io, clocks, random] = await Promise.all(
    SHIM.map((path) => import(pathToFileURL(path as string).href)),
  );
  shim = { cli, filesystem, io, clocks, random } as Shim;
});

/** One instance over host directories `root` (as `/`) and `params` (as `/params`). */
async function instantiate(t: Transpiled, root: string, params: string): Promise<Guest> {
  const fs = shim.filesystem.createFilesystem({ preopens: { "/": root, "/params": params } });
  const { cli, io, clocks, random } = shim;
  const imports: Record<string, Interface> = {
    "wasi:cli/environment": cli.environment!,
    "wasi:cli/exit": cli.exit!,
    "wasi:cli/stdin": cli.stdin!,
    "wasi:cli/stdout": cli.stdout!,
    "wasi:cli/stderr": cli.stderr!,
    "wasi:cli/terminal-input": cli.terminalInput!,
    "wasi:cli/terminal-output": cli.terminalOutput!,
    "wasi:cli/terminal-stdin": cli.terminalStdin!,
    "wasi:cli/terminal-stdout": cli.terminalStdout!,
    "wasi:cli/terminal-stderr": cli.terminalStderr!,
    "wasi:filesystem/types": fs.types!,
    "wasi:filesystem/preopens": fs.preopens!,
    "wasi:io/streams": io.streams!,
    "wasi:io/error": io.error!,
    "wasi:io/poll": io.poll!,
    "wasi:clocks/wall-clock": clocks.wallClock!,
    "wasi:clocks/monotonic-clock": clocks.monotonicClock!,
    "wasi:random/random": random.random!,
  };
  let memory: WebAssembly.Memory | undefined;
  const instance = await t.glue.instantiate(
    async (file) => WebAssembly.compile(readFileSync(join(t.dir, file))),
    imports,
    async (module, coreImports) => {
      const core = await WebAssembly.instantiate(module, coreImports);
      // The guest's own module is the one exporting `run`: keep its memory to watch it.
      if ("run" in core.exports) memory = core.exports.memory as WebAssembly.Memory;
      return core;
    },
  );
  if (memory === undefined) throw new Error("no core module exported run");
  return { run: (input) => instance.run(input), memory };
}

/** Runs one input: the `ok` bytes as text or the `err` string, and stdout/stderr (the logs). */
function runText(
  instance: Instance,
  input: string,
): { ok?: string; err?: string; stdout: string; stderr?: string } {
  const captured = { stdout: [] as string[], stderr: [] as string[] };
  const streams = { stdout: process.stdout, stderr: process.stderr };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const key of ["stdout", "stderr"] as const) {
    // preview2-shim writes the guest's stdout/stderr with process.stdout/stderr.write.
    streams[key].write = ((chunk: string | Uint8Array) => {
      captured[key].push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
      return true;
    }) as typeof process.stdout.write;
  }
  const logs = () => {
    const stderr = captured.stderr.join("");
    return { stdout: captured.stdout.join(""), ...(stderr === "" ? {} : { stderr }) };
  };
  try {
    const ok = new TextDecoder().decode(instance.run(new TextEncoder().encode(input)));
    return { ok, ...logs() };
  } catch (error) {
    // jco's glue throws a ComponentError carrying the `err` string as its payload.
    const payload = (error as { payload?: unknown }).payload;
    if (typeof payload !== "string") throw error;
    return { err: payload, ...logs() };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
}

function freshDirs(name: string, parameters: string): { root: string; params: string } {
  const root = mkdtempSync(join(scratch, `${name}-root-`));
  const params = mkdtempSync(join(scratch, `${name}-params-`));
  writeFileSync(join(params, "parameters"), parameters);
  return { root, params };
}

function checkShape(t: Transpiled): void {
  for (const [file, bytes] of Object.entries(t.cores)) {
    expect(WebAssembly.validate(new Uint8Array(bytes)), `${file} validates`).toBe(true);
  }
  expect(Object.keys(t.cores).length).toBeGreaterThanOrEqual(2); // the guest and the adapter, at least
  expect(t.exports).toEqual([["run", "function"]]);
  expect(t.wit).toContain("export run: func(input: list<u8>) -> result<list<u8>, string>;");
  const imports = [...t.wit.matchAll(/^\s*import ([^;]+);$/gm)].map((m) => m[1]!);
  expect(imports.length).toBeGreaterThan(0);
  for (const name of imports) expect(name, `import ${name}`).toMatch(ALLOWED_IMPORT);
  for (const name of t.imports) expect(`${name}@0.2.0`).toMatch(ALLOWED_IMPORT);
}

describe("kv-notebook (AssemblyScript)", () => {
  let kv: Transpiled;
  beforeAll(async () => {
    kv = await transpileComponent(KV, "kv-notebook");
  }, 60_000);

  it("is a file-contract component importing only allowed WASI interfaces", () => {
    checkShape(kv);
    // It calls the filesystem and stdout, nothing else it does not need.
    expect(kv.imports).toContain("wasi:filesystem/preopens");
    expect(kv.imports).not.toContain("wasi:cli/environment");
  });

  it.skipIf(shimMissing)(
    "puts, gets, lists and deletes notes that persist as files across instances",
    async () => {
      const { root, params } = freshDirs("kv", "");
      const first = await instantiate(kv, root, params);
      expect(runText(first, "put greeting hello, world")).toEqual({
        ok: "ok",
        stdout: "put greeting (12 bytes)\n",
      });
      expect(runText(first, "put b two").ok).toBe("ok");
      expect(readFileSync(join(root, "notes/greeting"), "utf8")).toBe("hello, world");

      const second = await instantiate(kv, root, params);
      expect(runText(second, "get greeting")).toEqual({
        ok: "hello, world",
        stdout: "get greeting (12 bytes)\n",
      });
      expect(runText(second, "list").ok).toBe("b\ngreeting");
      expect(runText(second, "del b").ok).toBe("ok");
      expect(existsSync(join(root, "notes/b"))).toBe(false);
      // Several commands in one run: outputs joined by newlines, one log line each.
      const batch = runText(second, "put c 3\nget c\nlist\n");
      expect(batch.ok).toBe("ok\n3\nc\ngreeting");
      expect(batch.stdout.split("\n").filter(Boolean)).toHaveLength(3);
    },
  );

  it.skipIf(shimMissing)("answers errors as err strings", async () => {
    const { root, params } = freshDirs("kv", "");
    const kvi = await instantiate(kv, root, params);
    expect(runText(kvi, "get missing")).toEqual({
      err: "no such key: missing",
      stdout: "get missing: no such key\n",
    });
    expect(runText(kvi, "del missing").err).toBe("no such key: missing");
    expect(runText(kvi, "list").ok).toBe("");
    expect(runText(kvi, "put ../escape x").err).toMatch(/^bad key/);
    expect(runText(kvi, "frobnicate").err).toMatch(/^unknown command: frobnicate/);
    expect(runText(kvi, "").err).toMatch(/^empty input/);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe(`journal-rs (Rust, std::fs)${NEEDS_RUST}`, () => {
  let journal: Transpiled;
  beforeAll(async () => {
    if (journalBuilt) journal = await transpileComponent(JOURNAL, "journal-rs");
  }, 60_000);

  it.skipIf(!journalBuilt)("is a file-contract component importing only allowed WASI interfaces", () => {
    checkShape(journal);
    // wit-component runs the exported `_initialize` once, from a start function it adds.
    const glue = readFileSync(join(journal.dir, "journal-rs.js"), "utf8");
    expect(glue).toContain("_initialize");
  });

  it.skipIf(!journalBuilt || shimMissing)(
    "appends, rotates at the rotation size from /params/parameters and reads segments",
    async () => {
      const { root, params } = freshDirs("journal", "rotate-bytes=20\n");
      const j = await instantiate(journal, root, params);
      expect(runText(j, "append first line")).toEqual({
        ok: "current.log 11",
        stdout: "append: 11 bytes, current.log 11 bytes\n",
      });
      expect(runText(j, "append second line").ok).toBe("rotated 0.log 23");
      expect(runText(j, "append third").ok).toBe("current.log 6");
      expect(runText(j, "read 0").ok).toBe("first line\nsecond line\n");
      expect(runText(j, "read").ok).toBe("third\n");
      expect(runText(j, "read 9").err).toBe("no such segment: 9");
      // A new instance sees the same files.
      const again = await instantiate(journal, root, params);
      expect(runText(again, "stats").ok).toBe("0.log 23\ncurrent.log 6\ntotal 29");
      expect(readdirSync(join(root, "journal")).toSorted()).toEqual(["0.log", "current.log"]);
    },
  );

  it.skipIf(!journalBuilt || shimMissing)("streams a bulk file and creates small files", async () => {
    const { root, params } = freshDirs("journal", "");
    const j = await instantiate(journal, root, params);
    const wrote = runText(j, "bulk-write 2");
    expect(wrote.ok).toMatch(/^wrote 2097152 sum [0-9a-f]{16}$/);
    expect(wrote.stdout).toBe("bulk-write: 2097152 bytes in 32 writes of 65536\n");
    expect(statSync(join(root, "bulk/data.bin")).size).toBe(2 * 1024 * 1024);
    // Reading it back holds one 64 KiB buffer: the guest's memory does not grow with the file.
    const before = j.memory.buffer.byteLength;
    const read = runText(j, "bulk-read");
    expect(read.ok).toBe(wrote.ok!.replace("wrote", "read"));
    expect(j.memory.buffer.byteLength - before).toBeLessThan(1024 * 1024);
    expect(runText(j, "small-files 5").ok).toBe("created 5 files");
    const small = readdirSync(join(root, "small")).toSorted();
    expect(small).toEqual(["0.dat", "1.dat", "2.dat", "3.dat", "4.dat"]);
    for (const file of small) expect(statSync(join(root, "small", file)).size).toBe(4096);
    expect(runText(j, "bulk-write 0").err).toMatch(/^bulk-write: 1\.\.=/);
    expect(runText(j, "nope")).toEqual({
      err: "unknown command: nope",
      stdout: "",
      stderr: 'journal: unknown command "nope"\n',
    });
  });
});
