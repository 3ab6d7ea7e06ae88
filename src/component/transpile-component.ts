// Turns an uploaded WASI Preview 2 component into the JS glue and core modules the sandbox runs,
// with our pinned jco running right here (inside workerd, or node in tests), so uploaded JS is
// never trusted: the only untrusted code left is the component's core wasm.
//
// Always the same options, the ones `jco transpile` is given on the command line (the tests hold
// the two outputs byte-identical): instantiation mode (the glue compiles nothing, its core
// modules come from the caller), no node compat, no core module inlined as base64, JSPI with
// ASYNC_IMPORTS suspending and `run` promising, top-level `err` payloads thrown as they are.
import { EdgeError } from "../errors.js";
import { ASYNC_EXPORTS, ASYNC_IMPORTS } from "./async-imports.js";
import type { GenerateOptions, Transpiled } from "../../build/bindgen/js-component-bindgen.js";
import { componentImports } from "./component-imports.js";
import { type BindgenCoreLoader, type BindgenInstance, instantiateBindgen } from "./bindgen-host.js";

export interface TranspiledComponent {
  /** The glue ESM: `instantiate(getCoreModule, imports)`. */
  js: string;
  /** Every core module, under the name the glue asks `getCoreModule` for, in jco's order. */
  coreModules: Array<{ name: string; bytes: Uint8Array }>;
  /** Component-level imports with their versions ("wasi:io/streams@0.2.12"), from the binary. */
  imports: string[];
  /** The keys the glue's import object needs (jco's list: unversioned, "wasi:io/streams"). */
  importKeys: string[];
  /** Component-level exports with their kind ("function" | "instance"). */
  exports: Array<[string, string]>;
}

export type TranspileComponent = (bytes: Uint8Array, name: string) => Promise<TranspiledComponent>;

// The name becomes file names and a JS string in the glue: keep it plain.
const NAME = /^[a-z][a-z0-9-]{0,63}$/;

function generateOptions(name: string): GenerateOptions {
  // Field for field what jco-transpile's transpileBytes passes for the CLI flags
  // `--instantiation async --no-nodejs-compat --base64-cutoff 0 --no-component-error-wrapping
  //  --async-mode jspi --async-imports ... --async-exports run`.
  return {
    name,
    map: [],
    instantiation: { tag: "async" },
    asyncMode: { tag: "jspi", val: { imports: [...ASYNC_IMPORTS], exports: [...ASYNC_EXPORTS] } },
    validLiftingOptimization: false,
    tracing: false,
    noComponentErrorWrapping: true,
    noNodejsCompat: true,
    // The CLI emits .d.ts files too; the platform has no use for them (the JS is the same).
    noTypescript: true,
    tlaCompat: false,
    base64Cutoff: 0,
    noNamespacedExports: false,
    multiMemory: false,
    bindgenEnableWasmExnref: false,
    strict: false,
    flagsAsBigint: false,
    variantsInlineCases: false,
    useNamespaceObjects: false,
    enumValuesScreamingSnakeCase: false,
    asmjs: false,
  };
}

// jco also accepts WAT text and would translate a core module's error into parser jargon, so
// the binary's preamble is checked first: "\0asm", then the layer (version 1 core, 0x0d component).
const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const COMPONENT_VERSION = [0x0d, 0x00, 0x01, 0x00];
const CORE_VERSION = [0x01, 0x00, 0x00, 0x00];

function checkPreamble(bytes: Uint8Array): void {
  const startsWith = (expected: number[], at: number) => expected.every((byte, i) => bytes[at + i] === byte);
  if (bytes.length < 8 || !startsWith(MAGIC, 0)) {
    throw new EdgeError("COMPONENT_INVALID", "not a WebAssembly binary (it does not start with \\0asm)");
  }
  if (startsWith(CORE_VERSION, 4)) {
    throw new EdgeError(
      "COMPONENT_INVALID",
      "a core WebAssembly module, not a component: make it one with componentEmbed (world " +
        "edge:contract/file-contract) and componentNew with the wasi_snapshot_preview1 reactor adapter",
    );
  }
  if (!startsWith(COMPONENT_VERSION, 4)) {
    throw new EdgeError(
      "COMPONENT_INVALID",
      "not a WebAssembly component of a supported binary version (0x0d)",
    );
  }
}

function collect(name: string, component: Uint8Array, generated: Transpiled): TranspiledComponent {
  let js: string | undefined;
  const coreModules: TranspiledComponent["coreModules"] = [];
  for (const [file, bytes] of generated.files) {
    if (file === `${name}.js`) js = new TextDecoder().decode(bytes);
    else if (file.endsWith(".wasm")) coreModules.push({ name: file, bytes });
  }
  if (js === undefined) throw new Error(`jco produced no ${name}.js`);
  return {
    js,
    coreModules,
    imports: componentImports(component),
    importKeys: generated.imports,
    exports: generated.exports,
  };
}

/**
 * A transpiler over one bindgen instance, made on first use and reused: jco reports a bad
 * component as an error string and stays usable. A trap (a crash inside jco) poisons the
 * instance, so it is dropped and the next call makes a fresh one.
 */
export function createTranspiler(loadCore: BindgenCoreLoader): TranspileComponent {
  let instance: Promise<BindgenInstance> | undefined;

  return async (bytes, name) => {
    if (!NAME.test(name)) {
      throw new Error(`component name ${JSON.stringify(name)} is not a plain lower-case name`);
    }
    checkPreamble(bytes);
    instance ??= instantiateBindgen(loadCore).catch((error: unknown) => {
      instance = undefined;
      throw error;
    });
    const { bindgen, takeStderr } = await instance;
    let generated: Transpiled;
    try {
      generated = bindgen.generate(bytes, generateOptions(name));
    } catch (error) {
      if (typeof error === "string") {
        throw new EdgeError("COMPONENT_INVALID", `not a usable component: ${error}`);
      }
      instance = undefined;
      const cause = takeStderr().trim() || (error instanceof Error ? error.message : String(error));
      throw new EdgeError("COMPONENT_INVALID", `the transpiler failed on this component: ${cause}`, {
        cause: error,
      });
    } finally {
      takeStderr();
    }
    return collect(name, bytes, generated);
  };
}
