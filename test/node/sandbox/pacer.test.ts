import { describe, expect, it } from "vitest";
import { EdgeError } from "../../../src/errors.js";
import { Pacer } from "../../../src/sandbox/pause-for-others.js";

function pacer(pauseEveryMs: number, deadlineMs = 10_000) {
  const clock = { ms: 1_000, now: () => clock.ms };
  let waits = 0;
  const p = new Pacer({
    deadlineMs,
    pauseEveryMs,
    clock,
    wait: async () => {
      waits++;
    },
  });
  return { p, clock, waits: () => waits };
}

describe("Pacer", () => {
  it("lets slices run on until pauseEveryMs has passed, then waits once", async () => {
    const { p, clock, waits } = pacer(4);
    expect(p.slice()).toBeUndefined();
    clock.ms += 3;
    expect(p.slice()).toBeUndefined();
    clock.ms += 1;
    await p.slice();
    expect(waits()).toBe(1);
    // The interval starts again after the wait.
    expect(p.slice()).toBeUndefined();
  });

  it("waits every 4 x pauseEveryMs slices when the clock stands still (production)", async () => {
    const { p, waits } = pacer(2);
    const due: boolean[] = [];
    for (let i = 0; i < 16; i++) {
      // As a guest does: suspended until the wait settles.
      const answer = p.slice();
      due.push(answer !== undefined);
      await answer;
    }
    expect(due).toEqual(Array.from({ length: 16 }, (_, i) => (i + 1) % 8 === 0));
    expect(waits()).toBe(2);
  });

  it("fails with CONTRACT_DEADLINE at the first wait past the deadline", async () => {
    const { p, clock } = pacer(1, 50);
    clock.ms += 10;
    await p.slice();
    clock.ms += 100;
    const error = await p.slice()?.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EdgeError);
    expect((error as EdgeError).code).toBe("CONTRACT_DEADLINE");
    expect((error as EdgeError).details).toEqual({ deadlineMs: 50 });
  });
});
