import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  chunkedInput,
  concat,
  errOf,
  loadContract,
  logEntries,
  logOfSize,
  okValue,
  run,
  shortInput,
  stateDelta,
  summarize,
  u64le,
  update,
  validate,
} from "../support/contracts.js";
import { encodeRelatedContracts } from "../../../src/protocol/freenet-bincode.js";

let log: WebAssembly.Module;

beforeAll(async () => {
  log = await loadContract("append-log");
}, 60_000);

/** Offsets of every entry header, walking the log the way the contract does. */
function headers(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at: number[] = [];
  for (let i = 0; i < bytes.length; i += 4 + view.getUint32(i, true)) at.push(i);
  return at;
}

function summaryOf(count: number, bytes: number): Uint8Array {
  return concat(u64le(count), u64le(bytes));
}

// The first buffer carries 65532 payload bytes after the header; refills carry 65536.
const FIRST_CHUNK = 65532;
const BOUNDARY_SIZES = [0, 65531, 65532, 65533, 65534, 65535, 65536, 65537, 200_000];
// Entry sizes that put a header (or an entry's end) across the first refill boundary.
const LAYOUTS = [1000, FIRST_CHUNK - 6, FIRST_CHUNK - 4, FIRST_CHUNK - 5, 0, 65536 * 2];

describe("append-log: validate_state", () => {
  it.each(BOUNDARY_SIZES)(
    "accepts a well-formed %i-byte log in every layout, and refuses it corrupted",
    async (size) => {
      for (const entrySize of LAYOUTS) {
        const state = logOfSize(size, entrySize);
        expect({ entrySize, result: okValue(await validate(log, state)) }).toEqual({
          entrySize,
          result: { kind: "valid" },
        });
        expect(okValue(await validate(log, chunkedInput(state, 997)))).toEqual({ kind: "valid" });
        if (size === 0) continue;
        // Last entry claims one byte more than the log holds.
        const corrupt = state.slice();
        const last = headers(state).at(-1)!;
        const view = new DataView(corrupt.buffer);
        view.setUint32(last, view.getUint32(last, true) + 1, true);
        expect({ entrySize, corrupt: okValue(await validate(log, corrupt)) }).toEqual({
          entrySize,
          corrupt: { kind: "invalid" },
        });
      }
    },
  );

  it.each([1, 2, 3])("answers Invalid for a %i-byte log (no room for a header)", async (size) => {
    expect(okValue(await validate(log, new Uint8Array(size)))).toEqual({ kind: "invalid" });
  });

  it("answers Invalid when a trailing partial header straddles a refill", async () => {
    const state = concat(logOfSize(65530, 1000), Uint8Array.of(5, 0, 0));
    expect(okValue(await validate(log, state))).toEqual({ kind: "invalid" });
  });

  it("validates a 10 MiB log", async () => {
    const state = logOfSize(10 << 20, 3000);
    expect(okValue(await validate(log, state))).toEqual({ kind: "valid" });
  });

  it("validates a 64 MiB log with guest memory flat", async () => {
    const state = logOfSize(64 << 20, 4096);
    const outcome = await run(log, "validate_state", { state, third: encodeRelatedContracts([]) });
    expect(outcome.value.op === "validate_state" && outcome.value.result).toEqual({
      ok: true,
      value: { kind: "valid" },
    });
    expect(outcome.memory.size - outcome.baselineBytes).toBeLessThan(256 * 1024);
  }, 60_000);

  it("reports input the host cut short as an error, not as a shorter log", async () => {
    const state = logOfSize(200_000, 1000);
    const cut = shortInput(state.subarray(0, 100_000), state.length);
    expect(errOf(await validate(log, cut))).toEqual({
      variant: "Other",
      message: "state truncated by the host",
    });
  });

  it("checks the RelatedContracts argument", async () => {
    const id = new Uint8Array(32).fill(7);
    const related = encodeRelatedContracts([
      [id, Uint8Array.of(1, 2)],
      [id.map((b) => b + 1), null],
    ]);
    expect(okValue(await validate(log, logOfSize(100), { related }))).toEqual({ kind: "valid" });
    const badOption = concat(u64le(1), id, Uint8Array.of(2));
    expect(errOf(await validate(log, logOfSize(100), { related: badOption }))).toEqual({
      variant: "Deser",
      message: "invalid Option tag 2",
    });
  });
});

describe("append-log: update_state", () => {
  const a = logEntries([Uint8Array.of(1, 2, 3)]);
  const b = logEntries([Uint8Array.of(4), new Uint8Array(0)]);

  it("appends each delta's entries", async () => {
    const result = okValue(
      await update(log, a, [
        { kind: "Delta", delta: b },
        { kind: "Delta", delta: a },
      ]),
    );
    expect(result.newState).toEqual(concat(a, b, a));
    expect(result.related).toEqual([]);
    expect(okValue(await update(log, new Uint8Array(0), [])).newState).toEqual(new Uint8Array(0));
  });

  it("appends across refill boundaries of both the state and the update data", async () => {
    const state = logOfSize(70_000, FIRST_CHUNK - 5);
    const delta = logOfSize(140_000, 30_000);
    const result = okValue(await update(log, chunkedInput(state, 4099), [{ kind: "Delta", delta }]));
    expect(result.newState).toEqual(concat(state, delta));
  });

  it("rejects malformed or empty deltas with a reason", async () => {
    const cases: Array<[Uint8Array, string]> = [
      [new Uint8Array(0), "a delta holds at least one entry"],
      [Uint8Array.of(5, 0, 0, 0, 1), "malformed entry in delta"],
      [concat(b, Uint8Array.of(0, 0)), "malformed entry in delta"],
    ];
    for (const [delta, reason] of cases) {
      expect(errOf(await update(log, a, [{ kind: "Delta", delta }]))).toEqual({
        variant: "InvalidUpdateWithInfo",
        reason,
      });
    }
  });

  it("accepts a full state only when it extends the log", async () => {
    expect(okValue(await update(log, a, [{ kind: "State", state: concat(a, b) }])).newState).toEqual(
      concat(a, b),
    );
    expect(okValue(await update(log, a, [{ kind: "State", state: a }])).newState).toEqual(a);
    const both = await update(log, a, [{ kind: "StateAndDelta", state: concat(a, b), delta: b }]);
    expect(okValue(both).newState).toEqual(concat(a, b));
    expect(errOf(await update(log, concat(a, b), [{ kind: "State", state: a }]))).toEqual({
      variant: "InvalidUpdate",
    });
    expect(errOf(await update(log, a, [{ kind: "State", state: concat(b, a) }]))).toEqual({
      variant: "InvalidUpdate",
    });
    const ragged = concat(a, Uint8Array.of(9));
    expect(errOf(await update(log, a, [{ kind: "State", state: ragged }])).variant).toBe(
      "InvalidUpdateWithInfo",
    );
  });

  it("refuses related updates, a malformed current state and malformed update data", async () => {
    const relatedTo = new Uint8Array(32);
    expect(errOf(await update(log, a, [{ kind: "RelatedDelta", relatedTo, delta: b }])).variant).toBe(
      "InvalidUpdateWithInfo",
    );
    expect(errOf(await update(log, Uint8Array.of(7, 0, 0, 0), [])).variant).toBe("InvalidState");
    const overrun = concat(u64le(1), Uint8Array.of(1, 0, 0, 0), u64le(1000), b);
    expect(errOf(await update(log, a, overrun))).toEqual({
      variant: "Deser",
      message: "byte length overruns the input",
    });
  });
});

describe("append-log: summarize_state and get_state_delta", () => {
  it("summarizes as entry count and byte length", async () => {
    const state = logEntries([Uint8Array.of(1), Uint8Array.of(2, 3), new Uint8Array(0)]);
    expect(okValue(await summarize(log, state))).toEqual(summaryOf(3, state.length));
    expect(okValue(await summarize(log, new Uint8Array(0)))).toEqual(summaryOf(0, 0));
    const big = logOfSize(200_000, 1000);
    expect(okValue(await summarize(log, big))).toEqual(summaryOf(headers(big).length, big.length));
    expect(errOf(await summarize(log, Uint8Array.of(1, 0, 0, 0))).variant).toBe("InvalidState");
  });

  it("returns the entries after the summary's length", async () => {
    const old = logOfSize(70_000, 999);
    const added = logOfSize(80_000, 5000);
    const summary = summaryOf(headers(old).length, old.length);
    expect(okValue(await stateDelta(log, concat(old, added), summary))).toEqual(added);
    expect(okValue(await stateDelta(log, old, summary))).toEqual(new Uint8Array(0));
  });

  it("answers InvalidDelta for a summary ahead of the state or off an entry boundary", async () => {
    const state = logEntries([Uint8Array.of(1, 2), Uint8Array.of(3)]);
    expect(errOf(await stateDelta(log, state, summaryOf(3, state.length + 5)))).toEqual({
      variant: "InvalidDelta",
    });
    expect(errOf(await stateDelta(log, state, summaryOf(1, 3)))).toEqual({ variant: "InvalidDelta" });
    expect(errOf(await stateDelta(log, state, summaryOf(2, 6)))).toEqual({ variant: "InvalidDelta" });
    expect(errOf(await stateDelta(log, state, new Uint8Array(8))).variant).toBe("Deser");
  });
});

describe("append-log: properties", () => {
  const entry = fc.uint8Array({ maxLength: 300 });
  const entries = fc.array(entry, { maxLength: 12 });

  it("validate, update, summary and delta agree with a model", async () => {
    await fc.assert(
      fc.asyncProperty(
        entries,
        fc.array(fc.array(entry, { minLength: 1, maxLength: 5 }), { maxLength: 4 }),
        async (base, batches) => {
          const state = logEntries(base);
          expect(okValue(await validate(log, state))).toEqual({ kind: "valid" });
          const deltas = batches.map((batch) => logEntries(batch));
          const updated = okValue(
            await update(
              log,
              state,
              deltas.map((delta) => ({ kind: "Delta" as const, delta })),
            ),
          );
          const full = concat(state, ...deltas);
          expect(updated.newState).toEqual(full);

          const summary = okValue(await summarize(log, state));
          expect(summary).toEqual(summaryOf(base.length, state.length));
          const delta = okValue(await stateDelta(log, full, summary));
          expect(delta).toEqual(concat(...deltas));
          // An empty delta is not a valid update, so "nothing new" is an empty batch.
          const catchUp = delta.length > 0 ? [{ kind: "Delta" as const, delta }] : [];
          expect(okValue(await update(log, state, catchUp)).newState).toEqual(full);
          expect(okValue(await summarize(log, full))).toEqual(
            summaryOf(base.length + batches.flat().length, full.length),
          );
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
