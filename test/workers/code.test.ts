import { SELF } from "cloudflare:test";
import { blake3 } from "@noble/hashes/blake3.js";
import { base58 } from "@scure/base";
import { describe, expect, it } from "vitest";
import { MAX_CODE_BYTES } from "../../src/limits.js";
import { BASE, EMPTY_MODULE, contractWasm, errorOf } from "./support/api.js";

const put = (body: BodyInit | null, headers: HeadersInit = {}) =>
  SELF.fetch(`${BASE}/v1/code`, { method: "PUT", body, headers });

const COUNTER = contractWasm("counter");

// (module (func (export "f") (result i32) i32.const 42)): valid wasm, but no contract ABI.
const ANSWER_MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
  0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b,
]);

describe("PUT /v1/code", () => {
  it("stores code under its BLAKE3 hash (base58) and is idempotent", async () => {
    const first = await put(COUNTER);
    expect(first.status).toBe(201);
    const body = (await first.json()) as { codeHash: string; size: number };
    expect(body).toEqual({ codeHash: base58.encode(blake3(COUNTER)), size: COUNTER.length });
    expect(first.headers.get("location")).toBe(`/v1/code/${body.codeHash}`);
    const again = await put(COUNTER);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);
  });

  it("serves the exact bytes back, immutable", async () => {
    const { codeHash } = (await (await put(COUNTER)).json()) as { codeHash: string };
    const get = await SELF.fetch(`${BASE}/v1/code/${codeHash}`);
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toBe("application/wasm");
    expect(get.headers.get("etag")).toBe(`"${codeHash}"`);
    expect(new Uint8Array(await get.arrayBuffer())).toEqual(COUNTER);
  });

  it.each([
    ["an empty body", new Uint8Array(0), 400, "EMPTY_BODY"],
    ["text", new TextEncoder().encode("hello, world"), 400, "NOT_WASM"],
    [
      "an empty component (layer 1)",
      Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00),
      422,
      "COMPONENT_INVALID",
    ],
    ["a truncated module", ANSWER_MODULE.subarray(0, 20), 400, "INVALID_WASM"],
    ["a module with garbage after it", Uint8Array.from([...EMPTY_MODULE, 0xff, 0x00]), 400, "INVALID_WASM"],
  ])("rejects %s", async (_, body, status, code) => {
    const response = await put(body);
    expect(response.status).toBe(status);
    expect((await errorOf(response)).code).toBe(code);
  });

  it("names the missing Freenet exports of a module that is not a contract", async () => {
    for (const module of [EMPTY_MODULE, ANSWER_MODULE]) {
      const response = await put(module);
      expect(response.status).toBe(422);
      const error = await errorOf(response);
      expect(error.code).toBe("CONTRACT_ABI");
      expect(error.details?.missingFreenetExports).toEqual(
        expect.arrayContaining(["memory", "__frnt__initiate_buffer", "validate_state"]),
      );
      expect(error.details?.missingRunExports).toEqual(expect.arrayContaining(["run"]));
    }
  });

  it("names imports the host does not provide", async () => {
    const response = await put(contractWasm("unknown-import"));
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe("CONTRACT_ABI");
    expect(error.details?.unknownImports).toEqual([
      "wasi_snapshot_preview1.fd_write (func)",
      "env.now (func)",
    ]);
  });

  it("refuses a module that starts with more memory than the guest limit", async () => {
    const response = await put(contractWasm("huge-memory"));
    expect(response.status).toBe(422);
    expect((await errorOf(response)).code).toBe("MEMORY_LIMIT");
  });

  it("rejects oversize code by its declared length and by its streamed length", async () => {
    const declared = await put(new FixedLengthStream(MAX_CODE_BYTES + 1).readable, {
      "content-length": String(MAX_CODE_BYTES + 1),
    });
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).code).toBe("PAYLOAD_TOO_LARGE");

    const oversize = new Uint8Array(MAX_CODE_BYTES + 1);
    oversize.set(COUNTER);
    const streamed = await put(
      new ReadableStream({
        start(controller) {
          controller.enqueue(oversize);
          controller.close();
        },
      }),
    );
    expect(streamed.status).toBe(413);
  });
});

describe("GET /v1/code/:codeHash", () => {
  it("answers CODE_NOT_FOUND for an unknown hash", async () => {
    const response = await SELF.fetch(`${BASE}/v1/code/${base58.encode(new Uint8Array(32).fill(9))}`);
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("CODE_NOT_FOUND");
  });

  it("answers INVALID_ID for a malformed hash", async () => {
    const response = await SELF.fetch(`${BASE}/v1/code/xyz`);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe("INVALID_ID");
  });
});
