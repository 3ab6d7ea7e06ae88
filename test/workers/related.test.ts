import { base58 } from "@scure/base";
import { describe, expect, it } from "vitest";
import { patterned } from "../support/bytes.js";
import { createInstance, errorOf, putState } from "./support/api.js";
import { postValidate, u64 } from "./support/exec.js";

async function dependent(relatedId: Uint8Array, mode?: number) {
  const prefix = mode === undefined ? relatedId : new Uint8Array([...relatedId, mode]);
  return createInstance({}, "related", prefix);
}

describe("RequestRelated", () => {
  it("is resolved with the related instance's state from its Durable Object", async () => {
    const other = await createInstance({}, "counter", new Uint8Array(0));
    await putState(other, u64(3));
    const id = await dependent(base58.decode(other));
    expect((await putState(id, patterned(10))).status).toBe(200);
  });

  it("supplies None for an instance that does not exist, and the contract decides", async () => {
    const id = await dependent(new Uint8Array(32).fill(7));
    const response = await putState(id, patterned(10));
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({
      code: "CONTRACT_REJECTED",
      details: { variant: "Invalid" },
    });
  });

  it("is answered 409 when the contract keeps asking after it was given what it asked for", async () => {
    const other = await createInstance({}, "counter", new Uint8Array(0));
    await putState(other, u64(1));
    const id = await dependent(base58.decode(other), 1);
    const response = await putState(id, patterned(10));
    expect(response.status).toBe(409);
    const error = await errorOf(response);
    expect(error.code).toBe("RELATED_UNRESOLVED");
    expect(error.details?.related).toEqual([other]);
  });

  it("POST validate?resolve=false reports what the contract asks for", async () => {
    const other = await createInstance({}, "counter", new Uint8Array(0));
    await putState(other, u64(1));
    const id = await dependent(base58.decode(other));
    await putState(id, patterned(10));
    const raw = await postValidate(id, "?resolve=false");
    expect(await raw.json()).toMatchObject({ result: "requestRelated", related: [other] });
    expect(await (await postValidate(id)).json()).toMatchObject({ result: "valid" });
  });
});

describe("RequestRelated fan-out is bounded", () => {
  // contracts/fixtures/related-flood.wat: [count u16][mode][seed 32]
  const flood = (count: number, mode: 0 | 1) => {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    return createInstance({}, "related-flood", new Uint8Array([count & 255, count >> 8, mode, ...seed]));
  };

  it("2000 distinct ids in one round: 422 RELATED_LIMIT at once, no lookup made", async () => {
    const id = await flood(2000, 0);
    const response = await putState(id, patterned(10));
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({
      code: "RELATED_LIMIT",
      details: { limit: "per_round", max: 10, requested: 2000 },
    });
  });

  it("the same id named 2000 times is looked up once (then the contract is answered 409)", async () => {
    const id = await flood(2000, 1);
    const response = await putState(id, patterned(10));
    expect(response.status).toBe(409);
    const error = await errorOf(response);
    expect(error.code).toBe("RELATED_UNRESOLVED");
    expect(error.details?.related).toHaveLength(1);
  });

  it("ten ids in one round are looked up (none exists); asking again for them is answered 409", async () => {
    const id = await flood(10, 0);
    // Round 1 looks up 10 (none exists), round 2 asks for the same ten: nothing new, 409.
    const response = await putState(id, patterned(10));
    expect(response.status).toBe(409);
    expect((await errorOf(response)).details?.related).toHaveLength(10);
  });
});
