import { describe, expect, it } from "vitest";
import { runContract, type FreenetOp } from "../../../src/sandbox/contract-runner.js";
import { bytesInput } from "../../../src/guest-abi/input-source.js";
import { EdgeError } from "../../../src/errors.js";
import { contractModule } from "../support/wasm.js";

const LIMIT = 8 << 20;
const hostile = contractModule("hostile", LIMIT);

const run = (mode: number, op: FreenetOp = "validate_state") =>
  runContract(
    hostile,
    {
      op,
      parameters: mode === 0 ? new Uint8Array(0) : Uint8Array.of(mode),
      state: bytesInput(Uint8Array.of(1, 2, 3)),
      ...(op === "summarize_state" ? {} : { third: new Uint8Array(8) }),
    },
    { jspi: false, memoryLimitBytes: LIMIT },
  );

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return error instanceof EdgeError ? error.code : `not an EdgeError: ${String(error)}`;
  }
}

describe("hostile guests are contained (legacy buffers, prefetched pages)", () => {
  it("a well-behaved call decodes Ok(Valid)", async () => {
    const outcome = await run(0);
    expect(outcome.value).toEqual({ op: "validate_state", result: { ok: true, value: { kind: "valid" } } });
  });

  it.each([
    [1, "CONTRACT_TRAP"],
    [2, "CONTRACT_FAULT"],
    [3, "CONTRACT_OUT_OF_MEMORY"],
    [5, "CONTRACT_FAULT"],
  ])("mode %i fails with %s", async (mode, code) => {
    expect(await codeOf(run(mode))).toBe(code);
  });

  it("a contract error decodes whatever the export", async () => {
    for (const op of ["validate_state", "update_state", "summarize_state", "get_state_delta"] as const) {
      const outcome = await run(6, op);
      expect(outcome.value.result).toEqual({ ok: false, error: { variant: "Other", message: "nope" } });
    }
  });

  it("the next call after a failure works (fresh instance per call)", async () => {
    expect(await codeOf(run(1))).toBe("CONTRACT_TRAP");
    expect((await run(0)).value.result.ok).toBe(true);
  });

  it("a builder pointer outside memory is refused before anything is written", async () => {
    const bad = contractModule("bad-builder", LIMIT);
    const outcome = runContract(
      bad,
      { op: "summarize_state", parameters: new Uint8Array(1), state: bytesInput(new Uint8Array(1)) },
      { jspi: false, memoryLimitBytes: LIMIT },
    );
    expect(await codeOf(outcome)).toBe("CONTRACT_FAULT");
  });
});
