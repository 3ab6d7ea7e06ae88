// Builds the example component contracts (world `edge:contract/file-contract@0.1.0`,
// wit/edge-contract.wit) from source into build/contracts/<name>.wasm:
//  - contracts/components/<name>/assembly/index.ts: AssemblyScript (npm only), calling
//    `wasi_snapshot_preview1` directly;
//  - contracts/components/<name>/src/lib.rs: Rust with std::fs, a single-file cdylib built with
//    Debian's rustc (`/usr/bin/rustc --target wasm32-wasi`) when it is installed, skipped with a
//    message naming the apt packages when it is not (so `npm install && npm test` needs no apt).
// Each core module (kept in build/component-core/ for inspection) becomes a component with jco's
// programmatic `componentEmbed` (the world's WIT as custom sections) and `componentNew` with the
// preview1 reactor adapter, which turns the module's preview1 imports into WASI 0.2 imports.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { componentEmbed, componentNew, preview1AdapterReactorPath } from "@bytecodealliance/jco";
import createWabt from "wabt";
import { main as asc } from "assemblyscript/asc";

const WIT_PATH = "wit/edge-contract.wit";
const WORLD = "file-contract";
const SOURCES = "contracts/components";
const CORE_DIR = "build/component-core";
const OUT_DIR = "build/contracts";
// Debian's rustc (a rustup toolchain earlier in PATH has no wasm32-wasi std); overridable.
const RUSTC = process.env.EDGE_CONTRACTS_RUSTC ?? "/usr/bin/rustc";
const APT_PACKAGES = "rustc libstd-rust-dev-wasm32 clang lld wasi-libc libclang-rt-14-dev-wasm32 cargo";

// A stub runtime (bump allocator: the platform gives every run a fresh instance) and no
// `env.abort` import, so an AssemblyScript abort is a trap. The preview1 adapter allocates its
// state through the module's `cabi_realloc`, so the stub heap is the only allocator in memory.
const ASC_FLAGS = ["-O3", "--runtime", "stub", "--use", "abort="];
// rustc: a cdylib exports exactly its `#[no_mangle]` functions plus `memory`.
const RUSTC_FLAGS = [
  "--edition",
  "2021",
  "--target",
  "wasm32-wasi",
  "--crate-type",
  "cdylib",
  "-O",
  // The std rlibs carry debug info; without this the module is ~6 MB instead of ~100 KB.
  "-C",
  "strip=debuginfo",
];

/** Whether Debian's rustc with the wasm32-wasi std is here. */
function rustAvailable() {
  if (!existsSync(RUSTC)) return false;
  const sysroot = spawnSync(RUSTC, ["--print", "sysroot"], { encoding: "utf8" });
  if (sysroot.status !== 0) return false;
  return existsSync(join(sysroot.stdout.trim(), "lib/rustlib/wasm32-wasi/lib"));
}

async function compileAssemblyScript(source, coreOut) {
  const { error, stderr } = await asc([source, "--outFile", coreOut, ...ASC_FLAGS]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc failed for ${source}: ${error.message}`);
  }
}

/** rustc in a child process, so it overlaps the in-process AssemblyScript compiles. */
function compileRust(source, coreOut) {
  return new Promise((resolve, reject) => {
    const child = spawn(RUSTC, [...RUSTC_FLAGS, source, "-o", coreOut], {
      stdio: ["ignore", "inherit", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      if (status === 0) return resolve();
      console.error(stderr);
      reject(new Error(`rustc failed for ${source} (exit ${status})`));
    });
  });
}

/** A preview1 core module -> a component of the file-contract world. */
async function compileWat(source, coreOut) {
  const wabt = await createWabt();
  const module = wabt.parseWat(source, readFileSync(source, "utf8"));
  module.validate();
  writeFileSync(coreOut, module.toBinary({}).buffer);
  module.destroy();
}

async function componentize(coreOut, out, witSource, adapter, world = WORLD) {
  const embedded = await componentEmbed({ binary: readFileSync(coreOut), witSource, world });
  const component = await componentNew(embedded, [["wasi_snapshot_preview1", adapter]]);
  writeFileSync(out, component);
}

/** Builds every component; `built` lists the outputs of the rest of the build (names must not clash). */
export async function buildComponents(built = []) {
  const started = performance.now();
  if (!existsSync(SOURCES)) return [];
  const witSource = readFileSync(WIT_PATH, "utf8");
  const adapter = readFileSync(fileURLToPath(preview1AdapterReactorPath()));
  mkdirSync(CORE_DIR, { recursive: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const rust = rustAvailable();
  const skipped = [];
  const jobs = [];
  for (const entry of readdirSync(SOURCES, { withFileTypes: true }).toSorted((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (!entry.isDirectory()) continue;
    const name = entry.name;
    const out = join(OUT_DIR, `${name}.wasm`);
    if (built.includes(out))
      throw new Error(`${SOURCES}/${name}: ${out} is already built from another source`);
    const coreOut = join(CORE_DIR, `${name}.wasm`);
    const asSource = join(SOURCES, name, "assembly/index.ts");
    const watSource = join(SOURCES, name, "component.wat");
    const rsSource = join(SOURCES, name, "src/lib.rs");
    if (existsSync(watSource)) {
      // Test fixtures: a WAT core module and its own world (world.wit), e.g. one upload must refuse.
      const wit = readFileSync(join(SOURCES, name, "world.wit"), "utf8");
      const world = /^world\s+([a-z][a-z0-9-]*)/m.exec(wit)?.[1];
      if (!world) throw new Error(`${SOURCES}/${name}/world.wit names no world`);
      jobs.push({ out, coreOut, wit, world, compile: () => compileWat(watSource, coreOut) });
    } else if (existsSync(asSource)) {
      jobs.push({ out, coreOut, compile: () => compileAssemblyScript(asSource, coreOut) });
    } else if (existsSync(rsSource)) {
      if (!rust) {
        // A stale component from an earlier build with the toolchain would test old code.
        rmSync(out, { force: true });
        skipped.push(name);
        continue;
      }
      // Started now: rustc runs in its own process while asc compiles below.
      const compiled = compileRust(rsSource, coreOut);
      compiled.catch(() => {}); // reported where it is awaited
      jobs.push({ out, coreOut, compile: () => compiled });
    }
  }
  const mine = [];
  for (const job of jobs) {
    await job.compile();
    await componentize(job.coreOut, job.out, job.wit ?? witSource, adapter, job.world);
    built.push(job.out);
    mine.push(job.out);
  }
  if (skipped.length > 0) {
    console.log(
      `skipped Rust component contracts (${skipped.join(", ")}): ${RUSTC} with the wasm32-wasi std ` +
        `is not installed (apt-get install ${APT_PACKAGES})`,
    );
  }
  console.log(`built components ${mine.join(", ")} in ${Math.round(performance.now() - started)} ms`);
  return mine;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildComponents();
