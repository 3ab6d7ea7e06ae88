// Loads wasm the build compiled from source under build/.
import { readFileSync } from "node:fs";
import { capMemoryPages } from "../../../src/code/wasm-sections.js";

export function buildArtifact(name: string): Uint8Array {
  return readFileSync(new URL(`../../../build/${name}`, import.meta.url));
}

/** A contract compiled as the sandbox gets it: memory capped at `limitBytes`. */
export function contractModule(name: string, limitBytes = 64 << 20): WebAssembly.Module {
  return new WebAssembly.Module(capMemoryPages(buildArtifact(`contracts/${name}.wasm`), limitBytes / 65536));
}
