// HTTP helpers for integration tests: every call goes through the real Worker
// (Hono app -> ContractObject DO -> SQLite, R2 for code) inside workerd.
import { SELF, env } from "cloudflare:test";
import { base64 } from "@scure/base";
import { expect } from "vitest";

export const BASE = "https://edge.test";

/** The smallest valid core wasm module: magic + version (not a contract). */
export const EMPTY_MODULE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

/** A contract the build compiled from contracts/ (see vitest.config.ts). */
export function contractWasm(name: string): Uint8Array {
  const encoded = env.TEST_CONTRACTS[name];
  if (encoded === undefined) throw new Error(`no contract ${name} in build/contracts`);
  return base64.decode(encoded);
}

/** contracts/fixtures/accept-all.wat: accepts every state, reads only the first 64 KiB. */
export const ACCEPT_ALL = "accept-all";

export interface ErrorJson {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export async function errorOf(response: Response): Promise<ErrorJson["error"]> {
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  return ((await response.json()) as ErrorJson).error;
}

export async function uploadCode(
  wasm: Uint8Array = contractWasm(ACCEPT_ALL),
  init: RequestInit = {},
): Promise<string> {
  const response = await SELF.fetch(`${BASE}/v1/code`, { method: "PUT", body: wasm, ...init });
  expect(response.status).toBeLessThan(300);
  return ((await response.json()) as { codeHash: string }).codeHash;
}

let counter = 0;

/**
 * A fresh instance (unique parameters) so tests never share a Durable Object.
 * By default the accept-all contract; `prefix` leads the parameters.
 */
export async function createInstance(
  init: RequestInit = {},
  contract = ACCEPT_ALL,
  prefix: Uint8Array = Uint8Array.of(0),
): Promise<string> {
  const unique = new TextEncoder().encode(`${crypto.randomUUID()}-${counter++}`);
  return createInstanceWith(contract, new Uint8Array([...prefix, ...unique]), init);
}

/** An instance with exactly these parameters. */
export async function createInstanceWith(
  contract: string,
  parameters: Uint8Array,
  init: RequestInit = {},
): Promise<string> {
  const codeHash = await uploadCode(contractWasm(contract), init);
  const response = await SELF.fetch(`${BASE}/v1/contracts`, {
    method: "POST",
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
    body: JSON.stringify({ codeHash, parameters: base64.encode(parameters) }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

export const stateUrl = (id: string) => `${BASE}/v1/contracts/${id}/state`;

export async function putState(id: string, body: BodyInit | null, headers: HeadersInit = {}) {
  return SELF.fetch(stateUrl(id), { method: "PUT", body, headers });
}

export async function getState(id: string, headers: HeadersInit = {}) {
  return SELF.fetch(stateUrl(id), { headers });
}

/**
 * A request body with a declared length (as curl or any HTTP client sends a
 * file), fed chunk by chunk; `abortAfter` cuts the connection after that many chunks.
 */
export function sizedBody(chunks: Uint8Array[], options: { abortAfter?: number; declared?: number } = {}) {
  const total = options.declared ?? chunks.reduce((n, c) => n + c.length, 0);
  const { readable, writable } = new FixedLengthStream(total);
  const writer = writable.getWriter();
  const written = (async () => {
    for (const [index, chunk] of chunks.entries()) {
      if (index === options.abortAfter) {
        await writer.abort(new Error("client went away"));
        return;
      }
      await writer.write(chunk);
    }
    if (options.abortAfter === undefined) await writer.close();
    else await writer.abort(new Error("client went away"));
  })().catch(() => {});
  return { body: readable, written };
}
