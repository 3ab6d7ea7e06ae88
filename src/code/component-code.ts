// Upload of a component contract: our pinned jco turns it into glue and core
// modules (the uploader's JS, if any, is never used), the component must
// export exactly the world's `run` and import only interfaces a registered
// namespace serves, at WASI 0.2.x, and every core module is metered like any
// other guest.
import { EdgeError } from "../errors.js";
import type { TranspileComponent } from "../component/transpile-component.js";
import { namespaceServing } from "../namespaces/registry.js";
import type { ComponentBundle } from "./component-bundle.js";
import { instrument } from "./instrument.js";

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
/** Component model binaries: version 0x0d, layer 1 (core modules have version 1, layer 0). */
const COMPONENT_VERSION_LAYER = [0x0d, 0x00, 0x01, 0x00];
/** The glue's file and core module names derive from this. */
const GLUE_NAME = "component";
/** The world third-party guests target (wit/edge-contract.wit). */
export const CONTRACT_WORLD = "edge:contract/file-contract@0.1.0";
const RUN_SIGNATURE = "run: func(input: list<u8>) -> result<list<u8>, string>";
/** A WASI 0.2.x interface name, as the component's import section spells it. */
const WASI_02 = /^wasi:[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*@0\.2\.\d+$/;

export function isComponentBinary(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 8 &&
    WASM_MAGIC.every((byte, i) => bytes[i] === byte) &&
    COMPONENT_VERSION_LAYER.every((byte, i) => bytes[4 + i] === byte)
  );
}

export interface PreparedComponent {
  /** The glue and the metered core modules, as the sandbox runs them. */
  bundle: ComponentBundle;
  /** The namespaces serving its imports, in registry order. */
  namespaces: string[];
}

export async function prepareComponent(
  bytes: Uint8Array,
  transpile: TranspileComponent,
  options: { metered: boolean } = { metered: true },
): Promise<PreparedComponent> {
  const transpiled = await transpile(bytes, GLUE_NAME);
  checkWasiVersions(transpiled.imports);
  const exported = transpiled.exports.map(([name, kind]) => `${name} (${kind})`);
  if (exported.join() !== "run (function)" || !typesRun(transpiled.js)) {
    throw new EdgeError(
      "COMPONENT_INVALID",
      `a component contract exports exactly ${RUN_SIGNATURE} (world ${CONTRACT_WORLD}); this one exports ${exported.join(", ") || "nothing"}`,
      { details: { exports: exported } },
    );
  }
  const unserved = transpiled.imports.filter((name) => namespaceServing(name) === undefined);
  if (unserved.length > 0) {
    throw new EdgeError(
      "COMPONENT_INVALID",
      `the component imports interfaces the platform does not provide: ${unserved.join(", ")}`,
      { details: { unsupportedImports: unserved } },
    );
  }
  const namespaces = [...new Set(transpiled.imports.flatMap((name) => namespaceServing(name)?.name ?? []))];
  const modules = transpiled.coreModules.map(({ name, bytes: core }) => ({
    name,
    bytes: options.metered ? instrument(core) : core,
  }));
  return { bundle: { js: transpiled.js, modules }, namespaces };
}

/**
 * Whether the glue's `run` has the world's signature. jco reports exports by
 * name and kind only, so the check reads what our pinned jco generated for
 * the function (test/workers/components.test.ts holds it to the pinned jco:
 * the examples pass, a string-typed run fails): the argument lowered as a
 * list of u8 (a string is UTF-8 encoded instead) and a result whose err is
 * thrown, the ok half a list of u8 and the err half a decoded string.
 */
function typesRun(js: string): boolean {
  const start = js.indexOf("function run(arg0)");
  if (start < 0 || js.indexOf("function run(arg0)", start + 1) >= 0) return false;
  const next = /\n\s*(async )?function /g;
  next.lastIndex = start + 1;
  const end = next.exec(js)?.index;
  const body = js.slice(start, end);
  return (
    !body.includes("arg1") &&
    body.includes("_requireValidNumericPrimitive.bind(null, 'u8')") &&
    body.includes("errHandling: 'throw-result-err'") &&
    /case 0: \{[\s\S]*new Uint8Array[\s\S]*case 1: \{[\s\S]*(TEXT_DECODER_UTF8|utf8Decoder)\.decode/.test(
      body,
    )
  );
}

/** Only WASI 0.2.x: the preview1 adapter and current toolchains emit it, and our host serves it. */
function checkWasiVersions(imports: readonly string[]): void {
  const other = imports.filter((name) => name.startsWith("wasi:") && !WASI_02.test(name));
  if (other.length > 0) {
    throw new EdgeError(
      "COMPONENT_INVALID",
      `the component imports WASI interfaces at versions other than 0.2.x: ${other.join(", ")}`,
      { details: { unsupportedImports: other } },
    );
  }
}
