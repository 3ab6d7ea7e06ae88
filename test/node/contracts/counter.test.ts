import { beforeAll, describe, expect, it } from "vitest";
import {
  errOf,
  loadContract,
  okValue,
  readU64le,
  stateDelta,
  summarize,
  u64le,
  update,
  validate,
} from "../support/contracts.js";

let counter: WebAssembly.Module;

beforeAll(async () => {
  counter = await loadContract("counter");
}, 60_000);

describe("counter: validate_state", () => {
  it("accepts an empty state and an 8-byte value", async () => {
    expect(okValue(await validate(counter, new Uint8Array(0)))).toEqual({ kind: "valid" });
    expect(okValue(await validate(counter, u64le(42)))).toEqual({ kind: "valid" });
  });

  it.each([1, 7, 9, 16, 65536])("answers Invalid for a %i-byte state", async (length) => {
    expect(okValue(await validate(counter, new Uint8Array(length)))).toEqual({ kind: "invalid" });
  });

  it("reports a malformed RelatedContracts argument as Deser", async () => {
    const error = errOf(await validate(counter, u64le(1), { related: Uint8Array.of(1, 0, 0) }));
    expect(error.variant).toBe("Deser");
  });
});

describe("counter: update_state", () => {
  it("adds deltas in order, starting from 0 for an empty state", async () => {
    const result = await update(counter, new Uint8Array(0), [
      { kind: "Delta", delta: u64le(5) },
      { kind: "Delta", delta: u64le(7) },
    ]);
    const { newState, related } = okValue(result);
    expect(readU64le(newState!)).toBe(12n);
    expect(related).toEqual([]);
  });

  it("replaces the value with a State that is not smaller", async () => {
    expect(
      readU64le(okValue(await update(counter, u64le(10), [{ kind: "State", state: u64le(10) }])).newState!),
    ).toBe(10n);
    expect(
      readU64le(okValue(await update(counter, u64le(10), [{ kind: "State", state: u64le(99) }])).newState!),
    ).toBe(99n);
    const both = await update(counter, u64le(10), [
      { kind: "StateAndDelta", state: u64le(20), delta: u64le(1) },
    ]);
    expect(readU64le(okValue(both).newState!)).toBe(20n);
  });

  it("rejects a State below the current value with InvalidUpdate", async () => {
    expect(errOf(await update(counter, u64le(10), [{ kind: "State", state: u64le(9) }]))).toEqual({
      variant: "InvalidUpdate",
    });
    // The check runs against the value after the earlier items of the same batch.
    const batch = [
      { kind: "Delta", delta: u64le(5) },
      { kind: "State", state: u64le(12) },
    ] as const;
    expect(errOf(await update(counter, u64le(10), [...batch])).variant).toBe("InvalidUpdate");
  });

  it("keeps the value for an empty update list", async () => {
    expect(readU64le(okValue(await update(counter, u64le(3), [])).newState!)).toBe(3n);
  });

  it("explains malformed deltas, overflow and related updates", async () => {
    const short = errOf(await update(counter, u64le(1), [{ kind: "Delta", delta: new Uint8Array(4) }]));
    expect(short).toEqual({ variant: "InvalidUpdateWithInfo", reason: "a counter delta is 8 bytes" });
    const overflow = errOf(
      await update(counter, u64le(2n ** 64n - 1n), [{ kind: "Delta", delta: u64le(1) }]),
    );
    expect(overflow).toEqual({ variant: "InvalidUpdateWithInfo", reason: "counter overflow" });
    const related = errOf(
      await update(counter, u64le(1), [
        { kind: "RelatedState", relatedTo: new Uint8Array(32).fill(0x11), state: u64le(1) },
      ]),
    );
    expect(related.variant).toBe("InvalidUpdateWithInfo");
  });

  it("answers InvalidState for a malformed current state and Deser for malformed update data", async () => {
    expect(errOf(await update(counter, new Uint8Array(3), [])).variant).toBe("InvalidState");
    const unknownTag = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0);
    expect(errOf(await update(counter, u64le(1), unknownTag))).toEqual({
      variant: "Deser",
      message: "unknown UpdateData variant 9",
    });
    const cut = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2);
    expect(errOf(await update(counter, u64le(1), cut)).variant).toBe("Deser");
  });
});

describe("counter: summarize_state and get_state_delta", () => {
  it("summarizes as the value", async () => {
    expect(readU64le(okValue(await summarize(counter, u64le(77))))).toBe(77n);
    expect(readU64le(okValue(await summarize(counter, new Uint8Array(0))))).toBe(0n);
    expect(errOf(await summarize(counter, new Uint8Array(5))).variant).toBe("InvalidState");
  });

  it("returns the increment since a summary, and round-trips through update", async () => {
    const summary = okValue(await summarize(counter, u64le(30)));
    const delta = okValue(await stateDelta(counter, u64le(100), summary));
    expect(readU64le(delta)).toBe(70n);
    const caughtUp = okValue(await update(counter, u64le(30), [{ kind: "Delta", delta }]));
    expect(readU64le(caughtUp.newState!)).toBe(100n);
    expect(readU64le(okValue(await stateDelta(counter, u64le(100), u64le(100))))).toBe(0n);
  });

  it("answers InvalidDelta when the summary is ahead, Deser when it is malformed", async () => {
    expect(errOf(await stateDelta(counter, u64le(1), u64le(2)))).toEqual({ variant: "InvalidDelta" });
    expect(errOf(await stateDelta(counter, u64le(1), new Uint8Array(3))).variant).toBe("Deser");
  });
});
