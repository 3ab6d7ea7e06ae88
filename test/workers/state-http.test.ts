import { describe, expect, it } from "vitest";
import { equalBytes, patterned } from "../support/bytes.js";
import { createInstance, errorOf, getState, putState } from "./support/api.js";

describe("concurrent writers", () => {
  it("50 concurrent PUTs: distinct versions, the final state is exactly one body", async () => {
    const id = await createInstance();
    const bodies = Array.from({ length: 50 }, (_, i) => patterned(1000 + i * 2711, i));
    const responses = await Promise.all(bodies.map((body) => putState(id, body)));
    const infos = await Promise.all(
      responses.map(async (response) => {
        expect(response.status).toBe(200);
        return (await response.json()) as { version: number; hash: string };
      }),
    );
    expect(new Set(infos.map((info) => info.version)).size).toBe(50);
    expect(Math.max(...infos.map((info) => info.version))).toBe(50);
    const get = await getState(id);
    const final = new Uint8Array(await get.arrayBuffer());
    const winners = bodies.filter((body) => equalBytes(body, final));
    expect(winners).toHaveLength(1);
    const last = infos.find((info) => info.version === 50)!;
    expect(get.headers.get("etag")).toBe(`"${last.hash}"`);
  });
});

describe("conditional requests and ranges", () => {
  async function withState(size = 200_000) {
    const id = await createInstance();
    const data = patterned(size, 3);
    const put = await putState(id, data);
    return { id, data, etag: put.headers.get("etag")! };
  }

  it("GET with a matching If-None-Match answers 304 with the ETag", async () => {
    const { id, etag } = await withState();
    const response = await getState(id, { "if-none-match": etag });
    expect(response.status).toBe(304);
    expect(response.headers.get("etag")).toBe(etag);
    expect((await getState(id, { "if-none-match": '"other"' })).status).toBe(200);
  });

  it("PUT with a stale If-Match is refused 412 and changes nothing", async () => {
    const { id, data, etag } = await withState();
    const fresh = await putState(id, patterned(10, 1), { "if-match": etag });
    expect(fresh.status).toBe(200);
    const stale = await putState(id, patterned(20, 2), { "if-match": etag });
    expect(stale.status).toBe(412);
    expect((await errorOf(stale)).code).toBe("PRECONDITION_FAILED");
    const current = new Uint8Array(await (await getState(id)).arrayBuffer());
    expect(equalBytes(current, patterned(10, 1))).toBe(true);
    expect(equalBytes(current, data)).toBe(false);
  });

  it("PUT with If-None-Match: * only creates", async () => {
    const id = await createInstance();
    expect((await putState(id, patterned(5), { "if-none-match": "*" })).status).toBe(200);
    expect((await putState(id, patterned(6), { "if-none-match": "*" })).status).toBe(412);
  });

  it.each([
    ["bytes=0-0", 0, 1],
    ["bytes=65530-65545", 65530, 65546],
    ["bytes=131072-", 131072, 200_000],
    ["bytes=-100", 199_900, 200_000],
    ["bytes=199999-500000", 199_999, 200_000],
  ])("Range %s answers 206 with exactly those bytes", async (range, start, end) => {
    const { id, data } = await withState();
    const response = await getState(id, { range });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes ${start}-${end - 1}/200000`);
    expect(response.headers.get("content-length")).toBe(String(end - start));
    expect(equalBytes(new Uint8Array(await response.arrayBuffer()), data.subarray(start, end))).toBe(true);
  });

  it("an unsatisfiable Range answers 416 with Content-Range */size", async () => {
    const { id } = await withState(1000);
    const response = await getState(id, { range: "bytes=1000-" });
    expect(response.status).toBe(416);
    expect(response.headers.get("content-range")).toBe("bytes */1000");
    expect((await errorOf(response)).code).toBe("RANGE_NOT_SATISFIABLE");
  });

  it.each(["bytes=5-2", "items=0-9", "bytes=abc"])(
    "Range %s is ignored as RFC 9110 allows: 200 with the whole state",
    async (range) => {
      const { id } = await withState(1000);
      const response = await getState(id, { range });
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBe(1000);
    },
  );

  it("the unit is case-insensitive: BYTES=0-4 is a 206", async () => {
    const { id } = await withState(1000);
    const response = await getState(id, { range: "BYTES=0-4" });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe("bytes 0-4/1000");
    await response.arrayBuffer();
  });

  it("HEAD answers the headers of GET without a body", async () => {
    const { id, etag } = await withState(1234);
    const { SELF } = await import("cloudflare:test");
    const response = await SELF.fetch(`https://edge.test/v1/contracts/${id}/state`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe(etag);
    expect(response.headers.get("content-length")).toBe("1234");
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });
});

describe("state errors", () => {
  it("GET before any PUT is STATE_NOT_FOUND", async () => {
    const id = await createInstance();
    const response = await getState(id);
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("STATE_NOT_FOUND");
  });

  it("state of an instance that was never created is CONTRACT_NOT_FOUND", async () => {
    const unknown = "11111111111111111111111111111111";
    const put = await putState(unknown, patterned(3));
    expect(put.status).toBe(404);
    expect((await errorOf(put)).code).toBe("CONTRACT_NOT_FOUND");
    expect((await errorOf(await getState(unknown))).code).toBe("CONTRACT_NOT_FOUND");
  });

  it("a malformed id is a 400 INVALID_ID", async () => {
    for (const bad of ["not-base58!", "abc", "0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl"]) {
      const response = await getState(bad);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe("INVALID_ID");
    }
  });

  it("a declared length over MAX_STATE_BYTES is refused before any byte is stored", async () => {
    const id = await createInstance();
    const { SELF } = await import("cloudflare:test");
    const response = await SELF.fetch(`https://edge.test/v1/contracts/${id}/state`, {
      method: "PUT",
      headers: { "content-length": String(256 * 1024 * 1024 + 1) },
      body: new FixedLengthStream(256 * 1024 * 1024 + 1).readable,
    });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("a state PUT refused on its headers", () => {
  it("answers 413 at once for a declared 300 MB, without waiting for the body", async () => {
    const id = await createInstance();
    // A body that never delivers: the answer must not wait for it.
    const { readable } = new FixedLengthStream(300_000_000);
    const response = await putState(id, readable, { "content-length": "300000000" });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("PAYLOAD_TOO_LARGE");
  });
});
