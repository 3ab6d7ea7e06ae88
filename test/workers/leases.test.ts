import { SELF, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { patterned } from "../support/bytes.js";
import { BASE, createInstance, errorOf } from "./support/api.js";
import { contractUrl } from "./support/exec.js";

interface LeaseJson {
  id: string;
  status: string;
  expiresAt: number;
  arenaSize: number;
}

const leases = (id: string) => `${BASE}/v1/contracts/${id}/leases`;
const post = (url: string, body: unknown) =>
  SELF.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function acquire(id: string, minBytes = 100_000, leaseSecs = 600): Promise<LeaseJson> {
  const response = await post(leases(id), { minBytes, leaseSecs });
  expect(response.status).toBe(201);
  return (await response.json()) as LeaseJson;
}

describe("leases over HTTP", () => {
  it("acquire, list, get, write and read ranges, renew, free", async () => {
    const id = await createInstance();
    const lease = await acquire(id);
    expect(lease).toMatchObject({ status: "active", arenaSize: 131_072 });
    expect(((await (await SELF.fetch(leases(id))).json()) as { leases: LeaseJson[] }).leases).toHaveLength(1);

    const data = patterned(70_000, 4);
    const put = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?offset=1000`, {
      method: "PUT",
      body: data,
    });
    expect(await put.json()).toEqual({ written: 70_000 });
    const range = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?offset=1000&length=70000`);
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(data);
    const hole = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?offset=100000&length=10`);
    expect(new Uint8Array(await hole.arrayBuffer())).toEqual(new Uint8Array(10));

    const renewed = (await (
      await post(`${leases(id)}/${lease.id}/renew`, { secs: 3600 })
    ).json()) as LeaseJson;
    expect(renewed.expiresAt).toBeGreaterThan(lease.expiresAt);
    const freed = await SELF.fetch(`${leases(id)}/${lease.id}`, { method: "DELETE" });
    expect(((await freed.json()) as LeaseJson).status).toBe("revoked");
    const after = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?offset=0&length=1`);
    expect(after.status).toBe(410);
    expect((await errorOf(after)).code).toBe("LEASE_REVOKED");
  });

  it("whole aligned frames round trip (batched writes)", async () => {
    const id = await createInstance();
    const lease = await acquire(id, 20 * 65536);
    const data = patterned(20 * 65536 - 5, 9);
    const put = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?offset=0`, { method: "PUT", body: data });
    expect(await put.json()).toEqual({ written: data.length });
    const back = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?offset=0&length=${data.length}`);
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(data);
  });

  it("refuses writes past the arena before reading the body, and bad input", async () => {
    const id = await createInstance();
    const lease = await acquire(id, 1);
    const over = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?offset=65000`, {
      method: "PUT",
      body: patterned(1000),
    });
    expect((await errorOf(over)).code).toBe("LEASE_OUT_OF_BOUNDS");
    expect((await errorOf(await post(leases(id), { minBytes: 0, leaseSecs: 5 }))).code).toBe("BAD_REQUEST");
    expect((await errorOf(await post(leases(id), { minBytes: 10 ** 12, leaseSecs: 5 }))).code).toBe(
      "LEASE_CAPACITY_EXCEEDED",
    );
    expect((await errorOf(await SELF.fetch(`${leases(id)}/not-hex`))).code).toBe("INVALID_ID");
    expect((await errorOf(await SELF.fetch(`${leases(id)}/${"0".repeat(31)}1`))).code).toBe(
      "LEASE_NOT_FOUND",
    );
  });

  it("leases of one instance are invisible to another", async () => {
    const owner = await createInstance();
    const other = await createInstance();
    const lease = await acquire(owner);
    expect((await errorOf(await SELF.fetch(`${leases(other)}/${lease.id}`))).code).toBe("LEASE_NOT_FOUND");
    expect(((await (await SELF.fetch(leases(other))).json()) as { leases: unknown[] }).leases).toEqual([]);
  });
});

describe("leases survive the execution that wrote them", () => {
  it("write, trap, then a new execution attaches by id and sees the bytes", async () => {
    const id = await createInstance({}, "lease-writer", new Uint8Array(0));
    const trapped = await SELF.fetch(contractUrl(id, "run"), { method: "POST", body: Uint8Array.of(1) });
    expect((await errorOf(trapped)).code).toBe("CONTRACT_TRAP");
    const [lease] = ((await (await SELF.fetch(leases(id))).json()) as { leases: LeaseJson[] }).leases;
    expect(lease?.status).toBe("active");
    const leaseBytes = Uint8Array.from(lease!.id.match(/../g)!.map((byte) => parseInt(byte, 16)));
    const attached = await SELF.fetch(contractUrl(id, "run"), {
      method: "POST",
      body: new Uint8Array([2, ...leaseBytes]),
    });
    expect(new TextDecoder().decode(await attached.arrayBuffer())).toBe("JOURNAL!");
  });
});

describe("the alarm reclaims leases", () => {
  it("reclaims frames of freed leases, keeps a tombstone, re-arms, and is idempotent", async () => {
    const id = await createInstance();
    const freed = await acquire(id);
    const kept = await acquire(id);
    for (const lease of [freed, kept]) {
      await SELF.fetch(`${leases(id)}/${lease.id}/bytes?offset=0`, { method: "PUT", body: patterned(10) });
    }
    await SELF.fetch(`${leases(id)}/${freed.id}`, { method: "DELETE" });
    const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
    const frames = () =>
      runInDurableObject(stub, (_instance, state) =>
        Number(state.storage.sql.exec("SELECT COUNT(*) AS n FROM lease_frames").one().n),
      );
    expect(await frames()).toBe(2);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await frames()).toBe(1);
    // Re-armed for the kept lease's expiry plus grace.
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBe((kept.expiresAt + 300) * 1000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await frames()).toBe(1);
    const tombstone = await SELF.fetch(`${leases(id)}/${freed.id}`);
    expect(((await tombstone.json()) as LeaseJson).status).toBe("revoked");
  });
});

describe("lease reads and lifetimes are bounded", () => {
  it.each([
    ["offset=65530&length=10", 65_530, 10],
    ["offset=0&length=65537", 0, 65_537],
  ])(
    "GET bytes?%s past the arena: 416 LEASE_OUT_OF_BOUNDS before a byte streams",
    async (query, offset, length) => {
      const id = await createInstance();
      const lease = await acquire(id, 65_536);
      const response = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?${query}`);
      expect(response.status).toBe(416);
      expect(await errorOf(response)).toMatchObject({
        code: "LEASE_OUT_OF_BOUNDS",
        details: { offset, length, arenaSize: 65_536 },
      });
    },
  );

  it("a length past one page is 400 READ_TOO_LARGE; no length gives at most one page", async () => {
    const id = await createInstance();
    const lease = await acquire(id, 32 << 20);
    const huge = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?length=100000000000`);
    expect(huge.status).toBe(400);
    expect(await errorOf(huge)).toMatchObject({ code: "READ_TOO_LARGE", details: { limit: 16 << 20 } });
    const page = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?offset=1`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-length")).toBe(String(16 << 20));
    expect(page.headers.get("x-lease-size")).toBe(String(32 << 20));
    expect((await page.arrayBuffer()).byteLength).toBe(16 << 20);
  });

  it("a write past the arena names its own range", async () => {
    const id = await createInstance();
    const lease = await acquire(id, 65_536);
    const response = await SELF.fetch(`${leases(id)}/${lease.id}/bytes?offset=65530`, {
      method: "PUT",
      body: new Uint8Array(10),
    });
    expect(response.status).toBe(416);
    expect((await errorOf(response)).details).toMatchObject({ offset: 65_530, length: 10 });
  });

  it("a lifetime past LEASE_MAX_SECS is refused, at acquire and at renew", async () => {
    const id = await createInstance();
    const tooLong = await post(leases(id), { minBytes: 1, leaseSecs: 9_007_199_254_740_991 });
    expect(tooLong.status).toBe(400);
    expect(await errorOf(tooLong)).toMatchObject({ code: "BAD_REQUEST", details: { max: 30 * 86_400 } });
    const lease = await acquire(id, 1, 60);
    const renew = await post(`${leases(id)}/${lease.id}/renew`, { secs: 30 * 86_400 + 1 });
    expect(renew.status).toBe(400);
    expect((await errorOf(renew)).code).toBe("BAD_REQUEST");
  });
});

describe("the all-zero lease id names no lease", () => {
  const zero = "0".repeat(32);

  it("every lease route refuses it with 400 BAD_REQUEST, and the default arena stays untouched", async () => {
    const id = await createInstance();
    const put = await SELF.fetch(`${leases(id)}/${zero}/bytes?offset=0`, {
      method: "PUT",
      body: patterned(10),
    });
    expect(put.status).toBe(400);
    expect(await errorOf(put)).toMatchObject({ code: "BAD_REQUEST", details: { leaseId: zero } });
    const refused = [
      await SELF.fetch(`${leases(id)}/${zero}`),
      await SELF.fetch(`${leases(id)}/${zero}/bytes?offset=0&length=10`),
      await post(`${leases(id)}/${zero}/renew`, { secs: 10 }),
      await SELF.fetch(`${leases(id)}/${zero}`, { method: "DELETE" }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: "BAD_REQUEST", details: { leaseId: zero } });
    }
    const arena = await SELF.fetch(`${leases(id)}/arena/bytes?offset=0&length=10`);
    expect(new Uint8Array(await arena.arrayBuffer())).toEqual(new Uint8Array(10));
    const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
    const rows = await runInDurableObject(stub, (_instance, state) =>
      Number(state.storage.sql.exec("SELECT COUNT(*) AS n FROM lease_frames").one().n),
    );
    expect(rows).toBe(0);
  });
});
