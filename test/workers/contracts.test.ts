import { SELF } from "cloudflare:test";
import { blake3 } from "@noble/hashes/blake3.js";
import { base58, base64 } from "@scure/base";
import { describe, expect, it } from "vitest";
import { BASE, contractWasm, errorOf, uploadCode } from "./support/api.js";

const post = (body: unknown, headers: HeadersInit = { "content-type": "application/json" }) =>
  SELF.fetch(`${BASE}/v1/contracts`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("POST /v1/contracts", () => {
  it("creates an instance whose id is BLAKE3(code hash || parameters), then finds it again", async () => {
    const codeHash = await uploadCode();
    const parameters = Uint8Array.of(7, 7, 7, 1);
    const created = await post({ codeHash, parameters: base64.encode(parameters) });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; codeHash: string };
    const expected = base58.encode(blake3(new Uint8Array([...base58.decode(codeHash), ...parameters])));
    expect(body).toEqual({ id: expected, codeHash });
    expect(created.headers.get("location")).toBe(`/v1/contracts/${expected}`);

    const again = await post({ codeHash, parameters: base64.encode(parameters) });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);

    const described = await SELF.fetch(`${BASE}/v1/contracts/${expected}`);
    expect(await described.json()).toMatchObject({
      id: expected,
      codeHash,
      parameters: base64.encode(parameters),
    });
  });

  it("records the host namespaces the code imports, and answers them with the instance", async () => {
    const cases: Array<[string, string[]]> = [
      ["accept-all", ["freenet_contract_io"]],
      ["storage-writer", ["edge_storage"]],
      ["lease-writer", ["fbmu"]],
      ["work-journal", ["freenet_contract_io", "fbmu"]],
    ];
    for (const [fixture, namespaces] of cases) {
      const codeHash = await uploadCode(contractWasm(fixture));
      const { id } = (await (await post({ codeHash })).json()) as { id: string };
      const described = (await (await SELF.fetch(`${BASE}/v1/contracts/${id}`)).json()) as {
        namespaces: string[];
      };
      expect(described.namespaces).toEqual(namespaces);
    }
  });

  it("parameters default to empty", async () => {
    const codeHash = await uploadCode();
    const created = await post({ codeHash });
    expect(created.status).toBeLessThan(300);
    const { id } = (await created.json()) as { id: string };
    expect(id).toBe(base58.encode(blake3(base58.decode(codeHash))));
  });

  it("answers 404 CODE_NOT_FOUND for code that was never uploaded", async () => {
    const response = await post({ codeHash: base58.encode(new Uint8Array(32).fill(3)) });
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("CODE_NOT_FOUND");
  });

  it.each([
    ["malformed JSON", "{nope", "BAD_REQUEST"],
    ["a missing codeHash", { parameters: "" }, "BAD_REQUEST"],
    ["a malformed codeHash", { codeHash: "!!" }, "INVALID_ID"],
    [
      "non-base64 parameters",
      { codeHash: "11111111111111111111111111111111", parameters: "%%%" },
      "BAD_REQUEST",
    ],
  ])("rejects %s with 400", async (_, body, code) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe(code);
  });

  it("rejects parameters over 1 MiB", async () => {
    const codeHash = await uploadCode();
    const response = await post({ codeHash, parameters: base64.encode(new Uint8Array(1024 * 1024 + 1)) });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers CONTRACT_NOT_FOUND for an id nobody created", async () => {
    const response = await SELF.fetch(`${BASE}/v1/contracts/${base58.encode(new Uint8Array(32).fill(4))}`);
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("CONTRACT_NOT_FOUND");
  });
});

describe("unknown routes", () => {
  it.each([
    ["GET", "/nope"],
    ["GET", "/v1/contracts"],
    ["DELETE", "/v1/code/11111111111111111111111111111111"],
  ])("%s %s answers JSON 404", async (method, path) => {
    const response = await SELF.fetch(`${BASE}${path}`, { method });
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("NOT_FOUND");
  });
});

describe("POST /v1/contracts body types", () => {
  it("accepts JSON sent without a Content-Type", async () => {
    const codeHash = await uploadCode();
    const response = await SELF.fetch(`${BASE}/v1/contracts`, {
      method: "POST",
      body: new TextEncoder().encode(JSON.stringify({ codeHash, parameters: "AQI=" })),
    });
    expect(response.status).toBeLessThan(300);
    expect(await response.json()).toMatchObject({ codeHash });
  });

  it("answers 415 naming application/json for another type (curl -d sends form encoding)", async () => {
    const codeHash = await uploadCode();
    const response = await SELF.fetch(`${BASE}/v1/contracts`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: JSON.stringify({ codeHash }),
    });
    expect(response.status).toBe(415);
    expect(await errorOf(response)).toMatchObject({
      code: "UNSUPPORTED_MEDIA_TYPE",
      details: { expected: "application/json" },
    });
  });

  it("answers 400 for text that is not JSON", async () => {
    const response = await SELF.fetch(`${BASE}/v1/contracts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{codeHash:",
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe("BAD_REQUEST");
  });
});
