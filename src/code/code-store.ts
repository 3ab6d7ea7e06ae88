// Content-addressed contract code in R2: the key is the BLAKE3 code hash, so
// an upload is idempotent and an object never changes once written.
import { EdgeError } from "../errors.js";
import type { HasherFactory } from "../hashing/blake3.js";
import { readBounded } from "../http/read-bounded.js";
import { codeHashOf, encodeId } from "../identity/ids.js";
import { MAX_CODE_BYTES } from "../limits.js";
import { checkContractAbi } from "./contract-abi-check.js";
import { checkWasm } from "./wasm-check.js";
import { parseWasmModule } from "./wasm-sections.js";

export interface StoredCode {
  codeHash: string;
  size: number;
  created: boolean;
}

const keyOf = (codeHash: string) => `code/${codeHash}`;

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
    checkContractAbi(parseWasmModule(wasm), memoryLimitBytes);
    const codeHash = encodeId(codeHashOf(this.#newHasher, wasm));
    if (await this.#bucket.head(keyOf(codeHash))) return { codeHash, size: wasm.length, created: false };
    await this.#bucket.put(keyOf(codeHash), wasm, {
      httpMetadata: { contentType: "application/wasm" },
    });
    return { codeHash, size: wasm.length, created: true };
  }

  async get(codeHash: string): Promise<R2ObjectBody> {
    const object = await this.#bucket.get(keyOf(codeHash));
    if (!object) throw codeNotFound(codeHash);
    return object;
  }

  async require(codeHash: string): Promise<void> {
    if (!(await this.#bucket.head(keyOf(codeHash)))) throw codeNotFound(codeHash);
  }
}

function codeNotFound(codeHash: string): EdgeError {
  return new EdgeError("CODE_NOT_FOUND", "no contract code with this hash", { details: { codeHash } });
}
