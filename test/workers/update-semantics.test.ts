// Update semantics as freenet-core has them: the merged state must pass the
// contract's own validate_state before it commits, and a result identical to
// the head is no new version.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createInstance, errorOf, getState, putState } from "./support/api.js";
import { contractUrl, postUpdate, u64 } from "./support/exec.js";

const text = (s: string) => new TextEncoder().encode(s);
const MARKER = 0xee;

/** contracts/fixtures/lax-update.wat: update_state takes any bytes; validate_state refuses 0xEE. */
async function lax(mode = 0) {
  const id = await createInstance({}, "lax-update", new Uint8Array([mode]));
  expect((await putState(id, text("first"))).status).toBe(200);
  return id;
}

describe("an update's new state must pass validate_state", () => {
  it("a state validate_state refuses is 422 CONTRACT_REJECTED (call validate_state); nothing changes", async () => {
    const id = await lax();
    const before = await getState(id);
    const response = await postUpdate(id, new Uint8Array([1, 2, MARKER, 3]));
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({
      code: "CONTRACT_REJECTED",
      details: { variant: "Invalid", call: "validate_state" },
    });
    const after = await getState(id);
    expect(after.headers.get("etag")).toBe(before.headers.get("etag"));
    expect(after.headers.get("x-state-version")).toBe("1");
    expect(new TextDecoder().decode(await after.arrayBuffer())).toBe("first");
  });

  it("without the marker the update commits", async () => {
    const id = await lax();
    const response = await postUpdate(id, text("second"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ version: 2, changed: true });
    expect(new TextDecoder().decode(await (await getState(id)).arrayBuffer())).toBe("second");
  });

  it("a refusal by update_state itself names that call", async () => {
    const id = await createInstance({}, "counter", new Uint8Array(0));
    expect((await putState(id, u64(9))).status).toBe(200);
    const response = await postUpdate(id, u64(3), "state");
    expect(response.status).toBe(422);
    expect((await errorOf(response)).details).toMatchObject({ call: "update_state" });
  });
});

describe("a result identical to the head is no new version", () => {
  it("a full-state update equal to the head: 200 changed false, same version and ETag", async () => {
    const id = await lax();
    const etag = (await getState(id)).headers.get("etag")!;
    const response = await postUpdate(id, text("first"), "state");
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe(etag);
    expect(await response.json()).toMatchObject({ version: 1, changed: false });
    expect((await getState(id)).headers.get("x-state-version")).toBe("1");
  });

  it("a delta the contract drops (no new state): changed false, and If-Match still applies", async () => {
    const id = await lax(1);
    const etag = (await getState(id)).headers.get("etag")!;
    const kept = await postUpdate(id, text("ignored"), "delta", { "if-match": etag });
    expect(await kept.json()).toMatchObject({ version: 1, changed: false });
    const stale = await postUpdate(id, text("ignored"), "delta", { "if-match": '"not-the-etag"' });
    expect(stale.status).toBe(412);
  });

  it("a state PUT of the head's bytes makes no new version", async () => {
    const id = await lax();
    const response = await putState(id, text("first"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ version: 1, changed: false });
    const next = await putState(id, text("other"));
    expect(await next.json()).toMatchObject({ version: 2, changed: true });
  });

  it("the counter's summary of an unchanged state stays the same version", async () => {
    const id = await createInstance({}, "counter", new Uint8Array(0));
    expect((await putState(id, u64(4))).status).toBe(200);
    const zero = await postUpdate(id, u64(0));
    expect(await zero.json()).toMatchObject({ version: 1, changed: false });
    const summary = await SELF.fetch(contractUrl(id, "summary"));
    expect(summary.headers.get("x-state-version")).toBe("1");
    await summary.arrayBuffer();
  });
});
