import { SELF, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { sha256 } from "@noble/hashes/sha2.js";
import { base58 } from "@scure/base";
import { describe, expect, it } from "vitest";
import { drain, equalBytes, patterned, streamOf } from "../support/bytes.js";
import { createInstance, errorOf, getState, putState, sizedBody, stateUrl } from "./support/api.js";

const MiB = 1024 * 1024;

async function storedCounts(id: string) {
  const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
  return runInDurableObject(stub, (_instance, state) => {
    const count = (query: string) => Number(state.storage.sql.exec(query).one().n);
    return {
      rows: count("SELECT COUNT(*) AS n FROM state_frames"),
      blobs: count("SELECT COUNT(*) AS n FROM state_blobs"),
      staged: count("SELECT COUNT(*) AS n FROM state_blobs WHERE status = 'staged'"),
    };
  });
}

describe("state round trips through the Worker and the DO", () => {
  it.each([0, 1, 65535, 65536, 65537, MiB - 1, MiB, MiB + 1, 10 * MiB])(
    "%i bytes come back byte-identical",
    async (size) => {
      const id = await createInstance();
      const data = patterned(size, size % 13);
      const put = await putState(id, data);
      expect(put.status).toBe(200);
      const info = (await put.json()) as { version: number; hash: string; size: number };
      expect(info).toMatchObject({ version: 1, size, hash: base58.encode(sha256(data)) });
      expect(put.headers.get("etag")).toBe(`"${info.hash}"`);

      const get = await getState(id);
      expect(get.status).toBe(200);
      expect(get.headers.get("etag")).toBe(`"${info.hash}"`);
      expect(get.headers.get("content-length")).toBe(String(size));
      expect(equalBytes(new Uint8Array(await get.arrayBuffer()), data)).toBe(true);
      // 1 MiB rows (src/store/state/row-layout.ts), whatever the 64 KiB frames the guest sees.
      expect((await storedCounts(id)).rows).toBe(Math.ceil(size / MiB));
    },
  );

  it("streams a body sent in odd-sized chunks", async () => {
    const id = await createInstance();
    const data = patterned(3 * 65536 + 7, 5);
    const { body } = sizedBody([data.subarray(0, 1), data.subarray(1, 70000), data.subarray(70000)]);
    const put = await putState(id, body);
    expect(put.status).toBe(200);
    expect(equalBytes(await drain((await getState(id)).body), data)).toBe(true);
  });

  it("refuses a body without Content-Length (411): truncation would be undetectable", async () => {
    const id = await createInstance();
    const response = await putState(id, streamOf([patterned(10)]));
    expect(response.status).toBe(411);
    expect((await errorOf(response)).code).toBe("LENGTH_REQUIRED");
    expect((await getState(id)).status).toBe(404);
  });
});

describe("failed uploads keep the previous version", () => {
  async function withOldState() {
    const id = await createInstance();
    const old = patterned(100_000, 1);
    expect((await putState(id, old)).status).toBe(200);
    return { id, old };
  }

  async function expectOldStateOnly(id: string, old: Uint8Array) {
    const get = await getState(id);
    expect(get.headers.get("x-state-version")).toBe("1");
    expect(equalBytes(new Uint8Array(await get.arrayBuffer()), old)).toBe(true);
    expect(await storedCounts(id)).toEqual({ rows: 1, blobs: 1, staged: 0 });
  }

  it("a client that cancels its stream mid-upload gets INCOMPLETE_BODY", async () => {
    const { id, old } = await withOldState();
    const chunks = [patterned(65536, 2), patterned(65536, 3), patterned(65536, 4)];
    const { body, written } = sizedBody(chunks, { abortAfter: 2 });
    const response = await putState(id, body);
    await written;
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe("INCOMPLETE_BODY");
    await expectOldStateOnly(id, old);
  });

  it("a body shorter than its Content-Length is refused with INCOMPLETE_BODY", async () => {
    const { id, old } = await withOldState();
    const { body, written } = sizedBody([patterned(70_000, 9)], { declared: 200_000, abortAfter: 1 });
    const response = await putState(id, body);
    await written;
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe("INCOMPLETE_BODY");
    await expectOldStateOnly(id, old);
  });

  it("a client that disconnects (fetch aborted) commits nothing", async () => {
    const { id, old } = await withOldState();
    const { readable, writable } = new FixedLengthStream(300_000);
    const writer = writable.getWriter();
    const controller = new AbortController();
    const request = SELF.fetch(stateUrl(id), { method: "PUT", body: readable, signal: controller.signal });
    await writer.write(patterned(65536, 5));
    controller.abort();
    await expect(request).rejects.toThrow(/abort/i);
    await writer.abort(new Error("gone")).catch(() => {});
    // The DO notices the broken body on its own schedule; poll until it has cleaned up.
    for (let i = 0; i < 100 && (await storedCounts(id)).staged > 0; i++) await scheduler.wait(20);
    await expectOldStateOnly(id, old);
  });
});

describe("replaced versions are collected by the alarm", () => {
  it("drops a small replaced version at once, with no alarm", async () => {
    const id = await createInstance();
    await putState(id, patterned(3 * 65536, 1));
    await putState(id, patterned(10, 2));
    expect(await storedCounts(id)).toEqual({ rows: 1, blobs: 1, staged: 0 });
    await getState(id).then((response) => response.arrayBuffer());
    const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
    // Neither the replacement nor the read of the head left anything for an alarm.
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("keeps a large replaced version's rows only until the alarm runs", async () => {
    const id = await createInstance();
    await putState(id, patterned(5 * 65536, 1));
    await putState(id, patterned(10, 2));
    expect(await storedCounts(id)).toEqual({ rows: 2, blobs: 2, staged: 0 });
    const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storedCounts(id)).toEqual({ rows: 1, blobs: 1, staged: 0 });
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect(equalBytes(new Uint8Array(await (await getState(id)).arrayBuffer()), patterned(10, 2))).toBe(true);
  });

  it("an open reader keeps its version through the alarm; its end schedules the collection", async () => {
    const id = await createInstance();
    const old = patterned(40 * 65536, 3);
    await putState(id, old);
    const reading = await getState(id);
    const reader = reading.body!.getReader();
    const first = await reader.read();
    await putState(id, patterned(10, 4));
    const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
    await runDurableObjectAlarm(stub);
    expect((await storedCounts(id)).blobs).toBe(2);
    const parts = [first.value!];
    for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
    expect(equalBytes(await drain(streamOf(parts)), old)).toBe(true);
    for (let i = 0; i < 50 && !(await runDurableObjectAlarm(stub)); i++) await scheduler.wait(10);
    expect(await storedCounts(id)).toEqual({ rows: 1, blobs: 1, staged: 0 });
  });
});
