// Upload-time ABI check: every import must be a host function a registered
// namespace provides, with its exact signature, and the module must export
// what its ABI needs. Answers name the offending imports and exports.
import { sameSignature, type ImportSpec } from "../namespaces/host-namespace.js";
import { NAMESPACES, importSpec } from "../namespaces/registry.js";
import { FREENET_EXPORTS, RUN_EXPORTS } from "./contract-exports.js";
import { EdgeError } from "../errors.js";
import { WASM_PAGE_BYTES } from "../limits.js";
import type { WasmModuleInfo } from "./wasm-sections.js";

/** Which entry points a module offers; a module may offer both. */
export type ContractAbi = "freenet" | "run" | "freenet+run";

export function checkContractAbi(info: WasmModuleInfo, memoryLimitBytes: number): ContractAbi {
  const unknownImports = info.imports
    .filter((entry) => {
      const spec = importSpec(entry.module, entry.name);
      return !spec || entry.kind !== "func" || !entry.signature || !sameSignature(entry.signature, spec);
    })
    .map((entry) => `${entry.module}.${entry.name} (${entry.kind})`);
  if (unknownImports.length > 0) {
    throw new EdgeError(
      "CONTRACT_ABI",
      `the module imports what the host does not provide: ${unknownImports.join(", ")}`,
      {
        details: { unknownImports, namespaces: NAMESPACES.map((namespace) => namespace.name) },
      },
    );
  }

  const exports = new Map(info.exports.map((entry) => [entry.name, entry]));
  const missing = (required: Record<string, ImportSpec | "memory">) =>
    Object.entries(required)
      .filter(([name, spec]) => {
        const found = exports.get(name);
        if (!found) return true;
        if (spec === "memory") return found.kind !== "memory";
        return found.kind !== "func" || !found.signature || !sameSignature(found.signature, spec);
      })
      .map(([name]) => name);
  const missingFreenet = missing(FREENET_EXPORTS);
  const missingRun = missing(RUN_EXPORTS);
  if (missingFreenet.length > 0 && missingRun.length > 0) {
    const missingExports = missingFreenet.length <= missingRun.length ? missingFreenet : missingRun;
    throw new EdgeError(
      "CONTRACT_ABI",
      `the module lacks the contract exports: ${missingExports.join(", ")} (Freenet: ${Object.keys(FREENET_EXPORTS).join(", ")}; or run: ${Object.keys(RUN_EXPORTS).join(", ")})`,
      { details: { missingExports, missingFreenetExports: missingFreenet, missingRunExports: missingRun } },
    );
  }
  const abi: ContractAbi =
    missingFreenet.length === 0 && missingRun.length === 0
      ? "freenet+run"
      : missingFreenet.length === 0
        ? "freenet"
        : "run";

  const memoryIndex = exports.get("memory")?.index ?? 0;
  const memory = info.memories[memoryIndex];
  if (!memory || memory.imported) {
    throw new EdgeError("CONTRACT_ABI", "the contract must define its own memory, not import one");
  }
  if (memory.min * WASM_PAGE_BYTES > memoryLimitBytes) {
    throw new EdgeError(
      "MEMORY_LIMIT",
      `the module starts with ${memory.min * WASM_PAGE_BYTES} bytes of memory, over the ${memoryLimitBytes}-byte limit`,
      {
        details: { limit: memoryLimitBytes, initial: memory.min * WASM_PAGE_BYTES },
      },
    );
  }
  return abi;
}
