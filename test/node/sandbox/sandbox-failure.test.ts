import { describe, expect, it } from "vitest";
import { EdgeError } from "../../../src/errors.js";
import { sandboxFailure, withDeadline } from "../../../src/contract/sandbox-failure.js";

describe("sandboxFailure", () => {
  it.each([
    [new Error("Worker exceeded CPU time limit."), "CPU_LIMIT"],
    [new Error("Worker exceeded memory limit."), "MEMORY_LIMIT"],
    [new Error("Network connection lost."), "SANDBOX_FAILED"],
    ["a thrown string", "SANDBOX_FAILED"],
  ])("maps %s to %s, never a bare 500", (thrown, code) => {
    const error = sandboxFailure(thrown);
    expect(error.code).toBe(code);
    expect(error.status).toBeLessThan(600);
    expect(error.status).toBeGreaterThanOrEqual(422);
  });

  it("keeps an EdgeError as it is", () => {
    const original = new EdgeError("CONTRACT_OUT_OF_FUEL", "out");
    expect(sandboxFailure(original)).toBe(original);
  });
});

describe("withDeadline", () => {
  it("answers what the work answers when it is in time", async () => {
    await expect(withDeadline(Promise.resolve(7), 1_000)).resolves.toBe(7);
  });

  it("fails with CONTRACT_DEADLINE when the work never settles", async () => {
    const error = await withDeadline(new Promise(() => {}), 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EdgeError);
    expect((error as EdgeError).code).toBe("CONTRACT_DEADLINE");
  });
});
