// Content-addressed contract code in R2: the key is the BLAKE3 code hash, so
// an upload is idempotent and an object never changes once written.
import { EdgeError } from "../errors.js";
import type { HasherFactory } from "../hashing/blake3.js";
import { readBounded } from "../http/read-bounded.js";
import { codeHashOf, encodeId } from "../identity/ids.js";
import { MAX_CODE_BYTES } from "../limits.js";
import { METERING_VERSION } from "../metering/fuel-costs.js";
import { JCO_VERSION } from "../component/jco-version.js";
import { transpileComponent } from "../component/bindgen-modules.js";
import { decodeBundle, encodeBundle, type ComponentBundle } from "./component-bundle.js";
import { isComponentBinary, prepareComponent } from "./component-code.js";
import { instrument } from "./instrument.js";
import { checkContractAbi } from "./contract-abi-check.js";
import { REENTRANT_EXPORT } from "./contract-exports.js";
import { checkWasm } from "./wasm-check.js";
import { parseWasmModule, type WasmModuleInfo } from "./wasm-sections.js";
import { namespacesImported } from "../namespaces/registry.js";

export interface StoredCode {
  codeHash: string;
  size: number;
  created: boolean;
}

const keyOf = (codeHash: string) => `code/${codeHash}`;
// The instrumented module beside the original, per rewriter version (a new version re-instruments lazily).
const meteredKeyOf = (codeHash: string) => `metered/v${METERING_VERSION}/${codeHash}`;
// A component's glue and metered core modules, per rewriter and jco version (either change regenerates).
const componentKeyOf = (codeHash: string) => `component/v${METERING_VERSION}-jco${JCO_VERSION}/${codeHash}`;

export class CodeStore {
  readonly #bucket: R2Bucket;
  readonly #newHasher: HasherFactory;

  constructor(bucket: R2Bucket, newHasher: HasherFactory) {
    this.#bucket = bucket;
    this.#newHasher = newHasher;
  }

  async upload(body: ReadableStream<Uint8Array> | null, memoryLimitBytes: number): Promise<StoredCode> {
    const wasm = await readBounded(body, MAX_CODE_BYTES, "contract code");
    if (isComponentBinary(wasm)) return this.#uploadComponent(wasm);
    checkWasm(wasm);
    // Metering first: a feature it cannot meter is refused by name before any other check.
    const metered = instrument(wasm);
    const info = parseWasmModule(wasm);
    checkContractAbi(info, memoryLimitBytes);
    const codeHash = encodeId(codeHashOf(this.#newHasher, wasm));
    if (await this.#bucket.head(keyOf(codeHash))) {
      if (!(await this.#bucket.head(meteredKeyOf(codeHash)))) await this.#putMetered(codeHash, metered);
      return { codeHash, size: wasm.length, created: false };
    }
    await this.#putMetered(codeHash, metered);
    await this.#bucket.put(keyOf(codeHash), wasm, {
      httpMetadata: { contentType: "application/wasm" },
      customMetadata: {
        namespaces: namespacesImported(info.imports).join(","),
        reentrant: String(exportsReentrant(info)),
      },
    });
    return { codeHash, size: wasm.length, created: true };
  }

  async #uploadComponent(bytes: Uint8Array): Promise<StoredCode> {
    const { bundle, namespaces } = await prepareComponent(bytes, transpileComponent);
    const codeHash = encodeId(codeHashOf(this.#newHasher, bytes));
    if (!(await this.#bucket.head(componentKeyOf(codeHash)))) {
      await this.#bucket.put(componentKeyOf(codeHash), encodeBundle(bundle));
    }
    if (await this.#bucket.head(keyOf(codeHash))) return { codeHash, size: bytes.length, created: false };
    await this.#bucket.put(keyOf(codeHash), bytes, {
      httpMetadata: { contentType: "application/wasm" },
      customMetadata: { kind: "component", namespaces: namespaces.join(",") },
    });
    return { codeHash, size: bytes.length, created: true };
  }

  /** A component's glue and core modules (metered unless for the baseline), made now if not kept yet. */
  async component(codeHash: string, metered = true): Promise<ComponentBundle> {
    if (metered) {
      const stored = await this.#bucket.get(componentKeyOf(codeHash));
      if (stored) return decodeBundle(new Uint8Array(await stored.arrayBuffer()));
    }
    const original = new Uint8Array(await (await this.get(codeHash)).arrayBuffer());
    const { bundle } = await prepareComponent(original, transpileComponent, { metered });
    if (metered) await this.#bucket.put(componentKeyOf(codeHash), encodeBundle(bundle));
    return bundle;
  }

  /** The module the sandbox runs: metered at upload, or now for code stored before this rewriter version. */
  async metered(codeHash: string): Promise<Uint8Array> {
    const stored = await this.#bucket.get(meteredKeyOf(codeHash));
    if (stored) return new Uint8Array(await stored.arrayBuffer());
    const original = new Uint8Array(await (await this.get(codeHash)).arrayBuffer());
    const metered = instrument(original);
    await this.#putMetered(codeHash, metered);
    return metered;
  }

  async #putMetered(codeHash: string, metered: Uint8Array): Promise<void> {
    await this.#bucket.put(meteredKeyOf(codeHash), metered, {
      httpMetadata: { contentType: "application/wasm" },
      customMetadata: { meteringVersion: String(METERING_VERSION) },
    });
  }

  async get(codeHash: string): Promise<R2ObjectBody> {
    const object = await this.#bucket.get(keyOf(codeHash));
    if (!object) throw codeNotFound(codeHash);
    return object;
  }

  /** What an instance records of its code: the host namespaces it imports, whether it opts into re-entry. */
  async traits(codeHash: string): Promise<CodeTraits> {
    const head = await this.#bucket.head(keyOf(codeHash));
    if (!head) throw codeNotFound(codeHash);
    const recorded = head.customMetadata?.namespaces;
    const reentrant = head.customMetadata?.reentrant;
    if (recorded !== undefined && (reentrant !== undefined || head.customMetadata?.kind === "component")) {
      return { namespaces: recorded === "" ? [] : recorded.split(","), reentrant: reentrant === "true" };
    }
    // Code stored before these were recorded: read them from the module.
    const wasm = new Uint8Array(await (await this.get(codeHash)).arrayBuffer());
    const info = parseWasmModule(wasm);
    return { namespaces: namespacesImported(info.imports), reentrant: exportsReentrant(info) };
  }
}

export interface CodeTraits {
  namespaces: string[];
  reentrant: boolean;
}

function codeNotFound(codeHash: string): EdgeError {
  return new EdgeError("CODE_NOT_FOUND", "no contract code with this hash", { details: { codeHash } });
}

/** The re-entry opt-in (README "Contract calls"): an export named edge_reentrant, a function taking and giving nothing. */
function exportsReentrant(info: WasmModuleInfo): boolean {
  const entry = info.exports.find((candidate) => candidate.name === REENTRANT_EXPORT);
  return (
    entry?.kind === "func" && entry.signature?.params.length === 0 && entry.signature.results.length === 0
  );
}
