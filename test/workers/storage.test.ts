import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, createInstance, errorOf } from "./support/api.js";
import { contractUrl } from "./support/exec.js";

const run = (id: string, body: Uint8Array) => SELF.fetch(contractUrl(id, "run"), { method: "POST", body });
const stats = async (id: string) =>
  (await (await SELF.fetch(contractUrl(id, "storage/stats"))).json()) as {
    size: number;
    framesStored: number;
    bytesStored: number;
  };
const storageBytes = async (id: string, offset: number, length: number) =>
  new Uint8Array(
    await (
      await SELF.fetch(`${BASE}/v1/contracts/${id}/storage?offset=${offset}&length=${length}`)
    ).arrayBuffer(),
  );

const text = (s: string) => new TextEncoder().encode(s);

describe("linear storage through POST /run", () => {
  it("commits the call's writes when it returns: one frame plus the size", async () => {
    const id = await createInstance({}, "storage-writer", new Uint8Array(0));
    const response = await run(id, new Uint8Array([0, ...text("hello")]));
    expect(response.status).toBe(200);
    const out = new DataView(await response.arrayBuffer());
    expect(out.getBigUint64(0, true)).toBe(1_000_005n);
    expect(out.getInt32(8, true)).toBe(0);
    expect(response.headers.get("x-storage-bytes-written")).toBe(String(65536 + 8));
    expect(await stats(id)).toEqual({ size: 1_000_005, framesStored: 1, bytesStored: 65536 });
    expect(new TextDecoder().decode(await storageBytes(id, 1_000_000, 5))).toBe("hello");
  });

  it("reads holes as zeros over HTTP", async () => {
    const id = await createInstance({}, "storage-writer", new Uint8Array(0));
    await run(id, new Uint8Array([0, 1, 2, 3]));
    const bytes = await storageBytes(id, 999_990, 20);
    expect(Array.from(bytes)).toEqual([
      ...Array.from({ length: 10 }, () => 0),
      1,
      2,
      3,
      ...Array.from({ length: 7 }, () => 0),
    ]);
    expect((await storageBytes(id, 50_000_000, 100)).every((b) => b === 0)).toBe(true);
  });

  it("a trap after writes commits nothing", async () => {
    const id = await createInstance({}, "storage-writer", new Uint8Array(0));
    await run(id, new Uint8Array([0, ...text("first")]));
    const trapped = await run(id, new Uint8Array([1, ...text("SECOND")]));
    expect(trapped.status).toBe(422);
    expect((await errorOf(trapped)).code).toBe("CONTRACT_TRAP");
    expect(new TextDecoder().decode(await storageBytes(id, 1_000_000, 5))).toBe("first");
    expect((await stats(id)).size).toBe(1_000_005);
  });

  it("storage inspection validates its query", async () => {
    const id = await createInstance({}, "storage-writer", new Uint8Array(0));
    const response = await SELF.fetch(`${BASE}/v1/contracts/${id}/storage?offset=-1`);
    expect(response.status).toBe(400);
  });

  it("reads are bounded: past the addressable space 416, past one page 400 READ_TOO_LARGE", async () => {
    const id = await createInstance({}, "storage-writer", new Uint8Array(0));
    const past = await SELF.fetch(`${BASE}/v1/contracts/${id}/storage?offset=9007199254740991&length=16`);
    expect(past.status).toBe(416);
    expect((await errorOf(past)).code).toBe("RANGE_NOT_SATISFIABLE");
    const huge = await SELF.fetch(`${BASE}/v1/contracts/${id}/storage?offset=0&length=268435456`);
    expect(huge.status).toBe(400);
    expect((await errorOf(huge)).code).toBe("READ_TOO_LARGE");
  });

  it("run on a Freenet-only contract is CONTRACT_ABI", async () => {
    const id = await createInstance({}, "counter", new Uint8Array(0));
    const response = await run(id, new Uint8Array(1));
    expect((await errorOf(response)).code).toBe("CONTRACT_ABI");
  });
});

describe("linear storage written by update_state", () => {
  const state = (id: string) => SELF.fetch(`${BASE}/v1/contracts/${id}/state`);
  const update = (id: string) =>
    SELF.fetch(contractUrl(id, "updates?kind=delta"), { method: "POST", body: Uint8Array.of(1) });

  it("commits in the same transaction as the new state", async () => {
    const id = await createInstance({}, "storage-update", Uint8Array.of(0));
    await SELF.fetch(`${BASE}/v1/contracts/${id}/state`, { method: "PUT", body: text("initial!") });
    expect((await update(id)).status).toBe(200);
    expect(new TextDecoder().decode(await (await state(id)).arrayBuffer())).toBe("UPDATED!");
    expect(new TextDecoder().decode(await storageBytes(id, 0, 8))).toBe("STORAGE!");
  });

  it("is dropped with a rejected update", async () => {
    const id = await createInstance({}, "storage-update", Uint8Array.of(1));
    await SELF.fetch(`${BASE}/v1/contracts/${id}/state`, { method: "PUT", body: text("initial!") });
    expect((await errorOf(await update(id))).code).toBe("CONTRACT_REJECTED");
    expect(new TextDecoder().decode(await (await state(id)).arrayBuffer())).toBe("initial!");
    expect(await stats(id)).toEqual({ size: 0, framesStored: 0, bytesStored: 0 });
  });
});
