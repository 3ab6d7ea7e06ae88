// A contract that holds its whole state in its heap runs out of guest memory
// long before the state limit; the answer says so, with the numbers.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config.js";
import { createInstance, errorOf, getState, putState, sizedBody } from "./support/api.js";

const MiB = 1024 * 1024;
const { guestMemoryBytes } = readSettings(env);

function zeros(size: number) {
  const chunk = new Uint8Array(MiB);
  return sizedBody(Array.from({ length: size / MiB }, () => chunk)).body;
}

describe("a whole-state contract past its guest memory", () => {
  it("validates a state it can hold", async () => {
    const id = await createInstance({}, "whole-state", new Uint8Array(0));
    expect((await putState(id, zeros(4 * MiB))).status).toBe(200);
  });

  it("answers 422 CONTRACT_OUT_OF_MEMORY, not a bare trap, when its memory.grow is refused", async () => {
    const id = await createInstance({}, "whole-state", new Uint8Array(0));
    const size = 33 * MiB;
    const response = await putState(id, zeros(size));
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe("CONTRACT_OUT_OF_MEMORY");
    expect(error.details).toMatchObject({ limit: guestMemoryBytes });
    // It asked for twice the state (rounded to pages) on top of the little it had.
    expect(error.details?.requested).toBeGreaterThanOrEqual(2 * size);
    expect(error.details?.size).toBeLessThan(guestMemoryBytes);
    expect((await getState(id)).status).toBe(404);
  });
});
