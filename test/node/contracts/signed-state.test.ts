import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeRelatedContracts } from "../../../src/protocol/freenet-bincode.js";
import { patterned } from "../../support/bytes.js";
import {
  chunkedInput,
  concat,
  errOf,
  loadContract,
  okValue,
  run,
  shortInput,
  stateDelta,
  summarize,
  u64le,
  update,
  validate,
} from "../support/contracts.js";

let signed: WebAssembly.Module;

interface Writer {
  publicKey: Uint8Array;
  privateKey: KeyObject;
}

function writer(): Writer {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    publicKey: new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(-32)),
    privateKey,
  };
}

/** [u64 LE version][signature over version || payload][payload]. */
function signedState(by: Writer, version: number | bigint, payload: Uint8Array): Uint8Array {
  const signature = sign(null, concat(u64le(version), payload), by.privateKey);
  return concat(u64le(version), signature, payload);
}

const alice = writer();
const mallory = writer();
const HEADER = 72;

beforeAll(async () => {
  signed = await loadContract("signed-state");
}, 60_000);

describe("signed-state: validate_state", () => {
  // The first buffer holds 65532 state bytes, 72 of them the header.
  it.each([0, 1, 65459, 65460, 65461, 65536, 200_000, 1 << 20])(
    "accepts a correctly signed %i-byte payload",
    async (size) => {
      const state = signedState(alice, 7, patterned(size, size));
      expect(okValue(await validate(signed, state, { parameters: alice.publicKey }))).toEqual({
        kind: "valid",
      });
      expect(
        okValue(await validate(signed, chunkedInput(state, 4093), { parameters: alice.publicKey })),
      ).toEqual({
        kind: "valid",
      });
    },
  );

  it("refuses a tampered payload, signature or version, and another writer's key", async () => {
    const state = signedState(alice, 3, patterned(100_000));
    const flip = (at: number) => {
      const copy = state.slice();
      copy[at]! ^= 1;
      return copy;
    };
    for (const [what, bad] of [
      ["version", flip(0)],
      ["signature R", flip(8)],
      ["signature S", flip(8 + 40)],
      ["payload start", flip(HEADER)],
      ["payload across a refill", flip(65532)],
      ["payload end", flip(state.length - 1)],
    ] as const) {
      expect({ what, result: okValue(await validate(signed, bad, { parameters: alice.publicKey })) }).toEqual(
        {
          what,
          result: { kind: "invalid" },
        },
      );
    }
    expect(okValue(await validate(signed, state, { parameters: mallory.publicKey }))).toEqual({
      kind: "invalid",
    });
    expect(
      okValue(
        await validate(signed, signedState(mallory, 3, patterned(10)), { parameters: alice.publicKey }),
      ),
    ).toEqual({
      kind: "invalid",
    });
  });

  it("answers Invalid for a state shorter than its header, Deser for bad parameters", async () => {
    expect(
      okValue(await validate(signed, new Uint8Array(HEADER - 1), { parameters: alice.publicKey })),
    ).toEqual({
      kind: "invalid",
    });
    const state = signedState(alice, 1, patterned(5));
    expect(
      errOf(await validate(signed, state, { parameters: alice.publicKey.subarray(0, 31) })).variant,
    ).toBe("Deser");
  });

  it("reports a state the host cut short as an error", async () => {
    const state = signedState(alice, 1, patterned(150_000));
    const cut = shortInput(state.subarray(0, 100_000), state.length);
    expect(errOf(await validate(signed, cut, { parameters: alice.publicKey })).variant).toBe("Other");
  });

  it("verifies an 8 MiB payload with guest memory flat", async () => {
    const state = signedState(alice, 1, patterned(8 << 20));
    const outcome = await run(signed, "validate_state", {
      parameters: alice.publicKey,
      state,
      third: encodeRelatedContracts([]),
    });
    expect(outcome.value.op === "validate_state" && outcome.value.result).toEqual({
      ok: true,
      value: { kind: "valid" },
    });
    expect(outcome.memory.size - outcome.baselineBytes).toBeLessThan(256 * 1024);
  }, 60_000);
});

describe("signed-state: update_state", () => {
  const current = signedState(alice, 5, patterned(1000));

  it("takes a newer correctly signed state", async () => {
    const next = signedState(alice, 6, patterned(200_000, 1));
    const result = okValue(await update(signed, current, [{ kind: "State", state: next }], alice.publicKey));
    expect(result.newState).toEqual(next);
    expect(result.related).toEqual([]);
  });

  it("keeps the newest of several states, each newer than the last", async () => {
    const six = signedState(alice, 6, patterned(70_000, 2));
    const nine = signedState(alice, 9, patterned(10, 3));
    const result = okValue(
      await update(
        signed,
        current,
        [
          { kind: "State", state: six },
          { kind: "State", state: nine },
        ],
        alice.publicKey,
      ),
    );
    expect(result.newState).toEqual(nine);
    const backwards = await update(
      signed,
      current,
      [
        { kind: "State", state: nine },
        { kind: "State", state: six },
      ],
      alice.publicKey,
    );
    expect(errOf(backwards)).toEqual({ variant: "InvalidUpdate" });
  });

  it("rejects old versions, bad signatures and anything but State with InvalidUpdate", async () => {
    const rejected: Array<[string, Parameters<typeof update>[2]]> = [
      ["same version", [{ kind: "State", state: signedState(alice, 5, patterned(3)) }]],
      ["older version", [{ kind: "State", state: signedState(alice, 4, patterned(3)) }]],
      ["wrong writer", [{ kind: "State", state: signedState(mallory, 6, patterned(3)) }]],
      [
        "bumped version",
        [{ kind: "State", state: concat(u64le(7), signedState(alice, 6, patterned(3)).subarray(8)) }],
      ],
      ["short state", [{ kind: "State", state: new Uint8Array(HEADER - 1) }]],
      ["delta", [{ kind: "Delta", delta: signedState(alice, 6, patterned(3)) }]],
      [
        "state and delta",
        [{ kind: "StateAndDelta", state: signedState(alice, 6, patterned(3)), delta: new Uint8Array(0) }],
      ],
    ];
    for (const [what, updates] of rejected) {
      expect({ what, error: errOf(await update(signed, current, updates, alice.publicKey)) }).toEqual({
        what,
        error: { variant: "InvalidUpdate" },
      });
    }
  });

  it("answers the current state for an empty batch", async () => {
    const big = signedState(alice, 2, patterned(100_000, 4));
    expect(okValue(await update(signed, big, [], alice.publicKey)).newState).toEqual(big);
  });

  it("answers InvalidState for a malformed current state, Deser for bad parameters or update data", async () => {
    expect(errOf(await update(signed, new Uint8Array(10), [], alice.publicKey)).variant).toBe("InvalidState");
    expect(errOf(await update(signed, current, [], new Uint8Array(0))).variant).toBe("Deser");
    expect(errOf(await update(signed, current, u64le(1), alice.publicKey)).variant).toBe("Deser");
  });
});

describe("signed-state: summarize_state and get_state_delta", () => {
  const state = signedState(alice, 12, patterned(90_000, 5));

  it("summarizes as the version", async () => {
    expect(okValue(await summarize(signed, state, alice.publicKey))).toEqual(u64le(12));
    expect(errOf(await summarize(signed, new Uint8Array(8))).variant).toBe("InvalidState");
  });

  it("sends the whole state to an older summary and nothing to a current one", async () => {
    const delta = okValue(await stateDelta(signed, state, u64le(11), alice.publicKey));
    expect(delta).toEqual(state);
    const older = signedState(alice, 11, patterned(4));
    expect(
      okValue(await update(signed, older, [{ kind: "State", state: delta }], alice.publicKey)).newState,
    ).toEqual(state);
    expect(okValue(await stateDelta(signed, state, u64le(12)))).toEqual(new Uint8Array(0));
    expect(okValue(await stateDelta(signed, state, u64le(99)))).toEqual(new Uint8Array(0));
  });

  it("answers Deser for a malformed summary and InvalidState for a malformed state", async () => {
    expect(errOf(await stateDelta(signed, state, new Uint8Array(7))).variant).toBe("Deser");
    expect(errOf(await stateDelta(signed, new Uint8Array(9), u64le(1))).variant).toBe("InvalidState");
  });
});
