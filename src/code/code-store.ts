// Content-addressed contract code in R2: the key is the BLAKE3 code hash, so
// an upload is idempotent and an object never changes once written.
import { EdgeError } from "../errors.js";
import type { HasherFactory } from "../hashing/blake3.js";
import { readBounded } from "../http/read-bounded.js";
import { codeHashOf, encodeId } from "../identity/ids.js";
import { MAX_CODE_BYTES } from "../limits.js";
import { METERING_VERSION } from "../metering/fuel-costs.js";
import { meterModule } from "../metering/meter-module.js";
import { checkContractAbi } from "./contract-abi-check.js";
import { checkWasm } from "./wasm-check.js";
import { parseWasmModule } from "./wasm-sections.js";
import { namespacesImported } from "../namespaces/registry.js";

export interface StoredCode {
  codeHash: string;
  size: number;
  created: boolean;
}

const keyOf = (codeHash: string) => `code/${codeHash}`;
// The instrumented module beside the original, per rewriter version (a new version re-instruments lazily).
const meteredKeyOf = (codeHash: string) => `metered/v${METERING_VERSION}/${codeHash}`;

export class CodeStore {
  readonly #bucket: R2Bucket;
  readonly #newHasher: HasherFactory;

  constructor(bucket: R2Bucket, newHasher: HasherFactory) {
    this.#bucket = bucket;
    this.#newHasher = newHasher;
  }

  async upload(body: ReadableStream<Uint8Array> | null, memoryLimitBytes: number): Promise<StoredCode> {
    const wasm = await readBounded(body, MAX_CODE_BYTES, "contract code");
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
      customMetadata: { namespaces: namespacesImported(info.imports).join(",") },
    });
    return { codeHash, size: wasm.length, created: true };
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

  /** The host namespaces the code imports (CODE_NOT_FOUND if there is no such code). */
  async namespaces(codeHash: string): Promise<string[]> {
    const head = await this.#bucket.head(keyOf(codeHash));
    if (!head) throw codeNotFound(codeHash);
    const recorded = head.customMetadata?.namespaces;
    if (recorded !== undefined) return recorded === "" ? [] : recorded.split(",");
    // Code stored before the list was recorded: read it from the module.
    const wasm = new Uint8Array(await (await this.get(codeHash)).arrayBuffer());
    return namespacesImported(parseWasmModule(wasm).imports);
  }
}

function instrument(wasm: Uint8Array): Uint8Array {
  const { bytes } = meterModule(wasm);
  // A rewriter bug must never reach a sandbox: the output is validated like any upload.
  if (!WebAssembly.validate(bytes)) {
    throw new EdgeError("INTERNAL", "metering produced an invalid module; please report this contract");
  }
  return bytes;
}

function codeNotFound(codeHash: string): EdgeError {
  return new EdgeError("CODE_NOT_FOUND", "no contract code with this hash", { details: { codeHash } });
}
