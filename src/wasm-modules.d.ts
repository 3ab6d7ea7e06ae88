// wrangler's CompiledWasm rule (and the vitest plugin) turn `import x from "*.wasm"` into a compiled module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

// wrangler's Text rule: `import text from "*.txt"` is the file's contents.
declare module "*.txt" {
  const text: string;
  export default text;
}

// JSPI (WebAssembly JavaScript Promise Integration), present in workerd; feature-detect before use.
declare namespace WebAssembly {
  const Suspending: new (fn: (...args: never[]) => unknown) => object;
  function promising(fn: (...args: never[]) => unknown): (...args: never[]) => Promise<unknown>;
}
