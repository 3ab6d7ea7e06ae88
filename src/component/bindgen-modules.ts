// The transpiler as bundled into the Worker: jco's bindgen core modules, rebuilt by
// scripts/build-bindgen.mjs, imported statically so wrangler ships them compiled (workerd
// cannot compile wasm from bytes at run time). scripts/build-bindgen.mjs checks that this list
// matches the modules jco emits, so a jco upgrade that adds one fails the build, not a request.
import core from "../../build/bindgen/js-component-bindgen.core.wasm";
import core2 from "../../build/bindgen/js-component-bindgen.core2.wasm";
import core3 from "../../build/bindgen/js-component-bindgen.core3.wasm";
import core4 from "../../build/bindgen/js-component-bindgen.core4.wasm";
import { createTranspiler } from "./transpile-component.js";

const MODULES: Record<string, WebAssembly.Module> = {
  "js-component-bindgen.core.wasm": core,
  "js-component-bindgen.core2.wasm": core2,
  "js-component-bindgen.core3.wasm": core3,
  "js-component-bindgen.core4.wasm": core4,
};

export function bundledBindgenModule(name: string): WebAssembly.Module {
  const module = MODULES[name];
  if (module === undefined) throw new Error(`bindgen core module ${name} is not bundled`);
  return module;
}

/** Transpiles uploaded components inside workerd (one bindgen instance per isolate, made on first use). */
export const transpileComponent = createTranspiler(bundledBindgenModule);
