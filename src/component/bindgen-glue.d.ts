// The glue JS scripts/build-bindgen.mjs writes (jco's transpiler, transpiled by jco in
// instantiation mode). Declared here, not generated, so the typecheck needs no build; only what
// src/component uses of it, typed as jco's .d.ts for that component describes it.
declare module "*/build/bindgen/js-component-bindgen.js" {
  type ExportType = "function" | "instance";

  interface GenerateOptions {
    name: string;
    noTypescript?: boolean;
    instantiation?: { tag: "async" } | { tag: "sync" };
    map?: Array<[string, string]>;
    noNodejsCompat?: boolean;
    base64Cutoff?: number;
    tlaCompat?: boolean;
    validLiftingOptimization?: boolean;
    tracing?: boolean;
    noComponentErrorWrapping?: boolean;
    noNamespacedExports?: boolean;
    multiMemory?: boolean;
    bindgenEnableWasmExnref?: boolean;
    asyncMode?: { tag: "sync" } | { tag: "jspi"; val: { imports: string[]; exports: string[] } };
    strict?: boolean;
    flagsAsBigint?: boolean;
    variantsInlineCases?: boolean;
    useNamespaceObjects?: boolean;
    enumValuesScreamingSnakeCase?: boolean;
    asmjs?: boolean;
  }

  interface Transpiled {
    files: Array<[string, Uint8Array]>;
    imports: string[];
    exports: Array<[string, ExportType]>;
  }

  /** The component's exports; `generate` throws its `err` string (a thrown Error is a trap). */
  interface Bindgen {
    generate(component: Uint8Array, options: GenerateOptions): Transpiled;
  }

  export type { Bindgen, GenerateOptions, Transpiled };

  export function instantiate(
    getCoreModule: (path: string) => WebAssembly.Module | Promise<WebAssembly.Module>,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<Bindgen>;
}
