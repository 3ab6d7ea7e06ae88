// The build's BLAKE3 wasm, loaded from disk the way wrangler bundles it for workerd.
import { readFileSync } from "node:fs";
import { blake3Factory } from "../../../src/hashing/blake3.js";

export const wasmModule = new WebAssembly.Module(
  readFileSync(new URL("../../../build/blake3.wasm", import.meta.url)),
);
export const newHasher = blake3Factory(wasmModule);
