// Every example contract must pass the upload checks and look like what
// freenet-stdlib's #[contract] produces: the same exports with the same wasm
// signatures, and only the streaming-input import.
import { describe, expect, it } from "vitest";
import { usesStreaming } from "../../../src/sandbox/contract-runner.js";
import { checkContractAbi } from "../../../src/code/contract-abi-check.js";
import { parseWasmModule } from "../../../src/code/wasm-sections.js";
import { MEMORY_LIMIT, contractBytes } from "../support/contracts.js";

describe.each(["counter", "append-log", "signed-state"])("%s", (name) => {
  it("passes the upload checks with the freenet-stdlib module shape", async () => {
    const bytes = await contractBytes(name);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const info = parseWasmModule(bytes);
    expect(checkContractAbi(info, MEMORY_LIMIT)).toBe("freenet");
    const signatures = Object.fromEntries(
      info.exports.map((entry) => [entry.name, entry.kind === "func" ? entry.signature : entry.kind]),
    );
    expect(signatures).toEqual({
      memory: "memory",
      __frnt__initiate_buffer: { params: ["i32"], results: ["i64"] },
      __frnt_set_id: { params: ["i64"], results: [] },
      validate_state: { params: ["i64", "i64", "i64"], results: ["i64"] },
      update_state: { params: ["i64", "i64", "i64"], results: ["i64"] },
      summarize_state: { params: ["i64", "i64"], results: ["i64"] },
      get_state_delta: { params: ["i64", "i64", "i64"], results: ["i64"] },
    });
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: "freenet_contract_io", name: "__frnt__fill_buffer", kind: "function" },
    ]);
    expect(usesStreaming(module)).toBe(true);
  }, 60_000);
});
