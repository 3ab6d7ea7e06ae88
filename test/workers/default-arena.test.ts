// The instance's default fbmu arena over HTTP: routes of its own, not a lease.
import {
  SELF,
  createExecutionContext,
  env,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import { patterned } from "../support/bytes.js";
import { BASE, createInstance, errorOf } from "./support/api.js";

const arena = (id: string) => `${BASE}/v1/contracts/${id}/leases/arena`;
// FABRIC_ARENA_BYTES by default.
const ARENA_BYTES = 16 << 20;

describe("the default arena over HTTP", () => {
  it("answers its size, and round trips bytes across frames", async () => {
    const id = await createInstance();
    expect(await (await SELF.fetch(arena(id))).json()).toEqual({ arenaSize: ARENA_BYTES });

    const data = patterned(70_000, 3);
    const put = await SELF.fetch(`${arena(id)}/bytes?offset=65000`, { method: "PUT", body: data });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ written: 70_000 });
    const back = await SELF.fetch(`${arena(id)}/bytes?offset=65000&length=70000`);
    expect(back.status).toBe(200);
    expect(back.headers.get("x-arena-size")).toBe(String(ARENA_BYTES));
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(data);
    const hole = await SELF.fetch(`${arena(id)}/bytes?offset=1000000&length=5`);
    expect(new Uint8Array(await hole.arrayBuffer())).toEqual(new Uint8Array(5));

    // The same frames the guest's fbmu_read / fbmu_write reach, and no lease appears.
    const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
    const frames = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec("SELECT hex(lease_id) AS id, idx FROM lease_frames ORDER BY idx").toArray(),
    );
    expect(frames).toEqual([
      { id: "0".repeat(32), idx: 0 },
      { id: "0".repeat(32), idx: 1 },
      { id: "0".repeat(32), idx: 2 },
    ]);
    const list = (await (await SELF.fetch(`${BASE}/v1/contracts/${id}/leases`)).json()) as {
      leases: unknown[];
    };
    expect(list.leases).toEqual([]);
  });

  it("bounds reads and writes as lease bytes are bounded", async () => {
    const id = await createInstance();
    const over = await SELF.fetch(`${arena(id)}/bytes?offset=${ARENA_BYTES - 5}`, {
      method: "PUT",
      body: patterned(10),
    });
    expect(over.status).toBe(416);
    expect(await errorOf(over)).toMatchObject({
      code: "LEASE_OUT_OF_BOUNDS",
      details: { offset: ARENA_BYTES - 5, length: 10, arenaSize: ARENA_BYTES },
    });
    const past = await SELF.fetch(`${arena(id)}/bytes?offset=${ARENA_BYTES - 5}&length=10`);
    expect(past.status).toBe(416);
    expect((await errorOf(past)).code).toBe("LEASE_OUT_OF_BOUNDS");
    const huge = await SELF.fetch(`${arena(id)}/bytes?length=${(16 << 20) + 1}`);
    expect(huge.status).toBe(400);
    expect((await errorOf(huge)).code).toBe("READ_TOO_LARGE");
    // Without a length: the rest of the arena, one page at most.
    const rest = await SELF.fetch(`${arena(id)}/bytes?offset=${ARENA_BYTES - 3}`);
    expect(rest.headers.get("content-length")).toBe("3");
    expect((await rest.arrayBuffer()).byteLength).toBe(3);
  });

  it("is there only for an instance", async () => {
    const missing = "11111111111111111111111111111111";
    for (const response of [
      await SELF.fetch(arena(missing)),
      await SELF.fetch(`${arena(missing)}/bytes?offset=0&length=1`),
      await SELF.fetch(`${arena(missing)}/bytes`, { method: "PUT", body: patterned(1) }),
    ]) {
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe("CONTRACT_NOT_FOUND");
    }
  });
});

describe("the default arena's auth (API_TOKEN set)", () => {
  const call = async (request: Request, extra: Record<string, string> = {}) => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(request, { ...env, API_TOKEN: "s3cret-token", ...extra }, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it.each(["", "/bytes?offset=0&length=4"])("GET arena%s is a private read", async (suffix) => {
    const id = await createInstance();
    const anonymous = await call(new Request(`${arena(id)}${suffix}`));
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe("UNAUTHORIZED");
    const reader = await call(new Request(`${arena(id)}${suffix}`, { headers: bearer("reader-token") }), {
      READ_TOKEN: "reader-token",
    });
    expect(reader.status).toBe(200);
    await reader.arrayBuffer();
  });

  it("PUT arena bytes needs the API token; the read token does not do", async () => {
    const id = await createInstance();
    // Handed straight to the worker, a Request carries no Content-Length unless given one.
    const put = (headers: Record<string, string>) =>
      new Request(`${arena(id)}/bytes?offset=0`, {
        method: "PUT",
        body: Uint8Array.of(1, 2),
        headers: { "content-length": "2", ...headers },
      });
    expect((await call(put({}))).status).toBe(401);
    expect((await call(put(bearer("reader-token")), { READ_TOKEN: "reader-token" })).status).toBe(401);
    const written = await call(put(bearer("s3cret-token")));
    expect(await written.json()).toEqual({ written: 2 });
    const back = await call(
      new Request(`${arena(id)}/bytes?offset=0&length=2`, { headers: bearer("s3cret-token") }),
    );
    expect(Array.from(new Uint8Array(await back.arrayBuffer()))).toEqual([1, 2]);
  });
});
