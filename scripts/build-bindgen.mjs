// Rebuilds jco's transpiler (js-component-bindgen) so it can run inside workerd, into build/bindgen/.
//
// npm ships the transpiler only as a core module plus glue that compiles wasm at run time
// (`fetchCompile`, inline base64), which workerd refuses. So: wrap the vendored core module in a
// component again (its WIT, scripts/js-component-bindgen.wit, reconstructed from the vendored
// .d.ts; the preview1 reactor adapter supplies its WASI imports), and transpile that component
// with jco itself in instantiation mode: glue JS that takes its core modules from the caller,
// which the Worker imports statically (src/component/bindgen-modules.ts).
//
// Also writes the test component build/contracts/transpile-sample.wasm and what jco makes of it
// and of the bindgen component (build/bindgen/transpile-expected.txt), so the workerd test can
// compare its own output.
//
// Slow (~2 s), so it is skipped while its inputs and the jco versions are unchanged (stamp file).
// Run on its own (`node scripts/build-bindgen.mjs`) or from scripts/build.mjs.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { componentEmbed, componentNew, preview1AdapterReactorPath, transpile } from "@bytecodealliance/jco";
import createWabt from "wabt";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = (path) => `${root}${path}`;

const VENDOR = "node_modules/@bytecodealliance/jco-transpile/vendor";
const CORE = `${VENDOR}/js-component-bindgen-component.core.wasm`;
const VENDORED_TYPES = `${VENDOR}/js-component-bindgen-component.d.ts`;
const BINDGEN_WIT = "scripts/js-component-bindgen.wit";
const NAME = "js-component-bindgen";
const OUT = "build/bindgen";
const STAMP = `${OUT}/stamp.json`;
const MODULES_FILE = "src/component/bindgen-modules.ts";
const SAMPLE_WAT = "test/support/transpile-sample.wat";
const SAMPLE_OUT = "build/contracts/transpile-sample.wasm";
const EXPECTED = `${OUT}/transpile-expected.txt`;
const BIG_TEXT = `${OUT}/js-component-bindgen.component.b64.txt`;
const CONTRACT_WIT = "wit/edge-contract.wit";
const ASYNC_LISTS = "src/component/async-imports.ts";

const version = (pkg) => JSON.parse(readFileSync(at(`node_modules/${pkg}/package.json`), "utf8")).version;
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const adapterPath = fileURLToPath(preview1AdapterReactorPath());

const inputs = [
  CORE,
  VENDORED_TYPES,
  BINDGEN_WIT,
  SAMPLE_WAT,
  CONTRACT_WIT,
  ASYNC_LISTS,
  MODULES_FILE,
  "scripts/build-bindgen.mjs",
];
const stamp = JSON.stringify({
  jco: version("@bytecodealliance/jco"),
  jcoTranspile: version("@bytecodealliance/jco-transpile"),
  inputs: Object.fromEntries(
    [...inputs.map((path) => [path, readFileSync(at(path))]), ["adapter", readFileSync(adapterPath)]].map(
      ([path, bytes]) => [path, sha256(bytes)],
    ),
  ),
});

// The options the platform transpiles uploads with (src/component/transpile-component.ts):
// instantiation, no node compat, no inlined wasm, err payloads unwrapped. jco's programmatic
// transpile emits .d.ts files whatever it is told (the bindgen's one is checked below); JSPI
// matters only for the test components, not for the bindgen (it imports nothing async).
const GLUE_OPTIONS = {
  instantiation: "async",
  nodejsCompat: false,
  base64Cutoff: 0,
  noComponentErrorWrapping: true,
  quiet: true,
};

/** The core-module file names src/component/bindgen-modules.ts imports statically. */
function staticallyImported() {
  const source = readFileSync(at(MODULES_FILE), "utf8");
  return [...source.matchAll(/build\/bindgen\/([\w.-]+\.wasm)"/g)].map((match) => match[1]).toSorted();
}

/** The part of a jco .d.ts that describes the world's own types (before its imports/exports). */
function worldTypes(dts) {
  const text = new TextDecoder().decode(dts);
  const end = text.search(/^(?:import type|export type \* as)/m);
  return (end === -1 ? text : text.slice(0, end)).replace(/^\/\/ world .*\n/, "");
}

async function componentFromCore(binary, witSource, world) {
  const adapter = readFileSync(adapterPath);
  return componentNew(await componentEmbed({ binary, witSource, world }), [
    ["wasi_snapshot_preview1", adapter],
  ]);
}

async function buildBindgen() {
  const component = await componentFromCore(
    readFileSync(at(CORE)),
    readFileSync(at(BINDGEN_WIT), "utf8"),
    NAME,
  );
  const { files } = await transpile(component, { ...GLUE_OPTIONS, name: NAME });

  // The reconstructed WIT must describe the core module exactly as the vendored bindings do:
  // a field out of order would still link and then corrupt every call.
  const rebuiltTypes = worldTypes(files[`${NAME}.d.ts`]);
  if (rebuiltTypes !== worldTypes(readFileSync(at(VENDORED_TYPES)))) {
    throw new Error(`${BINDGEN_WIT} no longer matches ${VENDORED_TYPES}: update it from the .d.ts`);
  }

  const coreModules = Object.keys(files)
    .filter((name) => name.endsWith(".wasm"))
    .toSorted();
  const expected = staticallyImported();
  if (JSON.stringify(coreModules) !== JSON.stringify(expected)) {
    throw new Error(
      `jco now emits core modules ${coreModules.join(", ")}; ${MODULES_FILE} imports ${expected.join(", ")}`,
    );
  }

  rmSync(at(OUT), { recursive: true, force: true });
  mkdirSync(at(OUT), { recursive: true });
  writeFileSync(at(`${OUT}/${NAME}.js`), files[`${NAME}.js`]);
  for (const name of coreModules) writeFileSync(at(`${OUT}/${name}`), files[name]);
  // The component itself, not bundled into the Worker: the tests' big input.
  writeFileSync(at(`${OUT}/${NAME}.component.wasm`), component);
  writeFileSync(at(BIG_TEXT), Buffer.from(component).toString("base64"));
  return component;
}

async function buildSample() {
  const wabt = await createWabt();
  const module = wabt.parseWat(SAMPLE_WAT, readFileSync(at(SAMPLE_WAT), "utf8"));
  const core = module.toBinary({}).buffer;
  module.destroy();
  const component = await componentFromCore(core, readFileSync(at(CONTRACT_WIT), "utf8"), "file-contract");
  mkdirSync(at("build/contracts"), { recursive: true });
  writeFileSync(at(SAMPLE_OUT), component);
  return component;
}

/**
 * What jco's own transpile makes of each test component with the platform's options (digests of
 * the .js and core modules, imports, exports): the workerd test checks that the transpiler
 * running inside workerd produces the same. The big one goes along as base64 text (wrangler's
 * Text rule), since the test bindings carry only build/contracts.
 */
async function writeExpected(components) {
  // Node 22.18+ strips the types of a .ts file it imports (the pinned node is 22.23).
  const { ASYNC_IMPORTS, ASYNC_EXPORTS } = await import(`../${ASYNC_LISTS}`);
  const expected = {};
  for (const [name, component] of Object.entries(components)) {
    const { files, imports, exports } = await transpile(component, {
      ...GLUE_OPTIONS,
      name,
      asyncMode: "jspi",
      asyncImports: [...ASYNC_IMPORTS],
      asyncExports: [...ASYNC_EXPORTS],
    });
    const digests = Object.entries(files)
      .filter(([file]) => !file.endsWith(".d.ts"))
      .toSorted(([a], [b]) => (a < b ? -1 : 1))
      .map(([file, bytes]) => [file, sha256(bytes)]);
    expected[name] = { size: component.length, files: Object.fromEntries(digests), imports, exports };
  }
  writeFileSync(at(EXPECTED), JSON.stringify(expected, null, 2));
}

const outputs = [
  STAMP,
  SAMPLE_OUT,
  EXPECTED,
  BIG_TEXT,
  `${OUT}/${NAME}.js`,
  ...staticallyImported().map((name) => `${OUT}/${name}`),
];
if (outputs.every((path) => existsSync(at(path))) && readFileSync(at(STAMP), "utf8") === stamp) {
  console.log(`bindgen: ${OUT} up to date`);
} else {
  const started = performance.now();
  const bindgen = await buildBindgen();
  await writeExpected({ "transpile-sample": await buildSample(), big: bindgen });
  writeFileSync(at(STAMP), stamp);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `bindgen: rebuilt ${OUT} from a ${(bindgen.length / 1e6).toFixed(1)} MB component in ${seconds} s`,
  );
}
