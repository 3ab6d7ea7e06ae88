// The signed-state example end to end: keys and signatures from workerd's own
// WebCrypto Ed25519, verification inside the contract.
import { describe, expect, it } from "vitest";
import { patterned } from "../support/bytes.js";
import { createInstanceWith, errorOf, getState, putState } from "./support/api.js";
import { postUpdate, readU64 } from "./support/exec.js";

async function writer() {
  const keys = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const publicKey = new Uint8Array((await crypto.subtle.exportKey("raw", keys.publicKey)) as ArrayBuffer);
  const sign = async (version: number, payload: Uint8Array) => {
    const message = new Uint8Array(8 + payload.length);
    new DataView(message.buffer).setBigUint64(0, BigInt(version), true);
    message.set(payload, 8);
    const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", keys.privateKey, message));
    const state = new Uint8Array(72 + payload.length);
    state.set(message.subarray(0, 8));
    state.set(signature, 8);
    state.set(payload, 72);
    return state;
  };
  return { publicKey, sign };
}

describe("signed-state contract", () => {
  it("accepts a signed state, refuses a forged one, and only moves forward", async () => {
    const { publicKey, sign } = await writer();
    const id = await createInstanceWith("signed-state", publicKey);
    expect((await putState(id, await sign(1, patterned(200_000)))).status).toBe(200);

    const forged = await sign(2, patterned(1000));
    forged[100] = (forged[100] ?? 0) ^ 1;
    expect(await errorOf(await putState(id, forged))).toMatchObject({
      code: "CONTRACT_REJECTED",
      details: { variant: "Invalid" },
    });

    expect((await postUpdate(id, await sign(3, patterned(50)), "state")).status).toBe(200);
    const rollback = await postUpdate(id, await sign(2, patterned(50)), "state");
    expect((await errorOf(rollback)).code).toBe("CONTRACT_REJECTED");
    expect(readU64(new Uint8Array(await (await getState(id)).arrayBuffer()))).toBe(3n);
  });

  it("refuses a state signed by another key", async () => {
    const owner = await writer();
    const intruder = await writer();
    const id = await createInstanceWith("signed-state", owner.publicKey);
    const error = await errorOf(await putState(id, await intruder.sign(1, patterned(10))));
    expect(error).toMatchObject({ code: "CONTRACT_REJECTED", details: { variant: "Invalid" } });
  });
});

describe("signed-state: a forged update is refused by whichever call catches it", () => {
  it("a forged full-state update: 422, named call, the head unchanged", async () => {
    const { publicKey, sign } = await writer();
    const id = await createInstanceWith("signed-state", publicKey);
    expect((await putState(id, await sign(1, patterned(100)))).status).toBe(200);
    const forged = await sign(5, patterned(100));
    forged[80] = (forged[80] ?? 0) ^ 1;
    const error = await errorOf(await postUpdate(id, forged, "state"));
    expect(error.code).toBe("CONTRACT_REJECTED");
    expect(["update_state", "validate_state"]).toContain(error.details?.call);
    expect((await getState(id)).headers.get("x-state-version")).toBe("1");
  });
});
