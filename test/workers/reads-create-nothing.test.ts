// A Durable Object that is not an instance stays empty: no read on an unknown
// id creates a table or writes a row (in production every such object would
// persist and be billed).
import { SELF, env, runInDurableObject } from "cloudflare:test";
import { base58 } from "@scure/base";
import { describe, expect, it } from "vitest";
import { BASE, createInstance, errorOf } from "./support/api.js";

const randomId = () => base58.encode(crypto.getRandomValues(new Uint8Array(32)));

async function tablesOf(id: string): Promise<number> {
  const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
  return runInDurableObject(stub, (_object, state) => {
    const row = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master").one();
    return row.n;
  });
}

describe("reads on an id that is no instance", () => {
  it("HEAD /v1/contracts/:id/state answers 404 and leaves the object empty", async () => {
    const id = randomId();
    expect((await SELF.fetch(`${BASE}/v1/contracts/${id}/state`, { method: "HEAD" })).status).toBe(404);
    expect(await tablesOf(id)).toBe(0);
  });

  it.each([
    ["GET", "state"],
    ["GET", ""],
    ["GET", "summary"],
    ["POST", "validate"],
    ["GET", "storage/stats"],
    ["GET", "storage?offset=0&length=16"],
    ["GET", "leases"],
  ])("%s /v1/contracts/:id/%s answers 404 and leaves the object empty", async (method, path) => {
    const id = randomId();
    const response = await SELF.fetch(`${BASE}/v1/contracts/${id}${path ? `/${path}` : ""}`, { method });
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("CONTRACT_NOT_FOUND");
    expect(await tablesOf(id)).toBe(0);
  });

  it("an instance gets its tables when it is created", async () => {
    const id = await createInstance();
    expect(await tablesOf(id)).toBeGreaterThan(0);
  });
});
