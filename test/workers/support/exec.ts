// Helpers for contract-execution tests over HTTP.
import { SELF } from "cloudflare:test";
import { BASE } from "./api.js";

export const u64 = (value: number | bigint) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  return bytes;
};

export const readU64 = (bytes: Uint8Array) =>
  new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);

export const contractUrl = (id: string, path: string) => `${BASE}/v1/contracts/${id}/${path}`;

export function postUpdate(id: string, data: Uint8Array, kind = "delta", headers: HeadersInit = {}) {
  return SELF.fetch(contractUrl(id, `updates?kind=${kind}`), { method: "POST", body: data, headers });
}

export function getSummary(id: string, headers: HeadersInit = {}) {
  return SELF.fetch(contractUrl(id, "summary"), { headers });
}

export function postDelta(id: string, summary: Uint8Array, headers: HeadersInit = {}) {
  return SELF.fetch(contractUrl(id, "delta"), { method: "POST", body: summary, headers });
}

export interface ValidateJson {
  result: string;
  related?: string[];
  version: number;
  execution: {
    pages: string;
    baselineBytes: number;
    guestMemoryBytes: number;
    isolateCalls: number;
    fuel: number;
  };
}

export async function postValidate(id: string, query = "", headers: HeadersInit = {}): Promise<Response> {
  return SELF.fetch(contractUrl(id, `validate${query}`), { method: "POST", headers });
}
