// Compiles every wasm the project uses from source into build/:
//  - the host's BLAKE3 (AssemblyScript), bundled into the Worker;
//  - contracts and test fixtures written in WAT (contracts/**/*.wat -> build/contracts/<name>.wasm);
//  - AssemblyScript contracts (contracts/examples/<name>/assembly/index.ts -> build/contracts/<name>.wasm)
//    and their test probes (contracts/examples/<name>/assembly/probe/<probe>.ts -> build/contracts/<probe>.wasm),
//    which the conformance suites run on every host.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { main as asc } from "assemblyscript/asc";
import { build as esbuild } from "esbuild";
import createWabt from "wabt";

const assemblyTargets = [
  {
    entry: "src/hashing/assembly/blake3.ts",
    out: "build/blake3.wasm",
    // Two pages: 64 KiB input window plus hasher state; fixed so nothing grows at run time.
    flags: [
      "--runtime",
      "stub",
      "--noAssert",
      "--enable",
      "simd",
      "--initialMemory",
      "2",
      "--maximumMemory",
      "2",
    ],
  },
];

function watFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return watFiles(path);
    return entry.name.endsWith(".wat") ? [path] : [];
  });
}

mkdirSync("build/contracts", { recursive: true });
const built = [];
for (const target of assemblyTargets) {
  const { error, stderr } = await asc([target.entry, "-O3", "--outFile", target.out, ...target.flags]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc failed for ${target.entry}: ${error.message}`);
  }
  built.push(target.out);
}

// Guest contracts: stub runtime (a bump allocator; every call gets a fresh
// instance) and no `env.abort` import, so an AssemblyScript abort is a trap.
const CONTRACT_FLAGS = ["-O3", "--runtime", "stub", "--use", "abort=", "--enable", "simd"];
const examples = existsSync("contracts/examples")
  ? readdirSync("contracts/examples", { withFileTypes: true })
  : [];
async function compileContract(source, name) {
  const out = join("build/contracts", `${name}.wasm`);
  // Every guest is named by its file in build/contracts: two sources must not share a name.
  if (built.includes(out)) throw new Error(`${source}: ${out} is already built from another source`);
  const { error, stderr } = await asc([source, "--outFile", out, ...CONTRACT_FLAGS]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc failed for ${source}: ${error.message}`);
  }
  built.push(out);
}
for (const entry of examples) {
  if (!entry.isDirectory()) continue;
  const source = join("contracts/examples", entry.name, "assembly/index.ts");
  if (existsSync(source)) await compileContract(source, entry.name);
  // Test probes: run-entry guests that script the SDK's wrappers, named by their file.
  const probes = join("contracts/examples", entry.name, "assembly/probe");
  if (!existsSync(probes)) continue;
  for (const file of readdirSync(probes)
    .filter((name) => name.endsWith(".ts"))
    .toSorted()) {
    await compileContract(join(probes, file), basename(file, ".ts"));
  }
}

// The sandbox host runtime: one JS module the Worker Loader runs beside the
// contract; the DO imports it as text (wrangler's Text rule for *.txt).
await esbuild({
  entryPoints: ["src/sandbox/sandbox-main.ts"],
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2023",
  external: ["cloudflare:workers", "./contract.wasm"],
  outfile: "build/sandbox-host.txt",
  logLevel: "warning",
});
built.push("build/sandbox-host.txt");
// The component contracts' host runtime: same sandbox, glue and core modules beside it.
await esbuild({
  entryPoints: ["src/sandbox/component-main.ts"],
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2023",
  external: ["cloudflare:workers", "./component.js", "./component-modules.js"],
  outfile: "build/component-host.txt",
  logLevel: "warning",
});
built.push("build/component-host.txt");

// The CLI (bin/edge-contracts.mjs imports it). The entry is wired here: src/cli
// typechecks with Node's types and sees the client by its interface, while the
// client itself typechecks with the Worker's (it reads AppType). commander and
// cli-progress are CommonJS and stay external (dependencies, loaded by Node).
await esbuild({
  stdin: {
    contents: [
      'import { EdgeClient } from "./src/client/edge-client.ts";',
      'import { main } from "./src/cli/program.ts";',
      "process.exitCode = await main(process.argv, (url, options) => new EdgeClient(url, options));",
    ].join("\n"),
    resolveDir: ".",
    sourcefile: "cli-entry.ts",
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  external: ["commander", "cli-progress"],
  outfile: "build/cli.mjs",
  logLevel: "warning",
});
built.push("build/cli.mjs");

const wabt = await createWabt();
const WAT_FEATURES = {
  multi_memory: true,
  threads: true,
  exceptions: true,
  tail_call: true,
  simd: true,
  bulk_memory: true,
  reference_types: true,
  multi_value: true,
};
// contracts/components/ holds component sources (scripts/build-components.mjs builds those).
for (const path of watFiles("contracts").filter(
  (file) => !file.startsWith(join("contracts", "components")),
)) {
  // Every feature on: the fixtures under contracts/fixtures/unmeterable/ use the ones upload refuses.
  const module = wabt.parseWat(path, readFileSync(path, "utf8"), WAT_FEATURES);
  module.validate(WAT_FEATURES);
  const out = join("build/contracts", `${basename(path, ".wat")}.wasm`);
  if (built.includes(out)) throw new Error(`${path}: ${out} is already built from another source`);
  writeFileSync(out, module.toBinary({}).buffer);
  module.destroy();
  built.push(out);
}
// Example component contracts (contracts/components/*; the Rust one only with Debian's toolchain).
await (await import("./build-components.mjs")).buildComponents(built);
// jco's transpiler rebuilt to run inside workerd (skipped while its inputs are unchanged).
await import("./build-bindgen.mjs");
console.log(`built ${built.join(", ")}`);
