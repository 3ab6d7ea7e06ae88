// Helpers for the contract-call tests: probe instances (ids as the raw bytes a
// guest names them by), runs, and reads of linear storage over HTTP.
import { SELF, env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { parseId } from "../../../src/identity/ids.js";
import { BASE, createInstance } from "./api.js";

export interface Probe {
  id: string;
  raw: Uint8Array;
}

/** A fresh call-probe instance (`reentrant`: the build that exports edge_reentrant). */
export async function probe(reentrant = false, contract?: string): Promise<Probe> {
  const id = await createInstance({}, contract ?? (reentrant ? "call-probe-reentrant" : "call-probe"));
  return { id, raw: parseId(id) };
}

export function run(id: string, body: Uint8Array, headers: HeadersInit = {}): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/contracts/${id}/run`, { method: "POST", body, headers });
}

/** A run that must succeed: its body. */
export async function runOk(id: string, body: Uint8Array, headers: HeadersInit = {}): Promise<Uint8Array> {
  const response = await run(id, body, headers);
  if (response.status !== 200) expect(await response.text()).toBe("a 200 answer");
  return new Uint8Array(await response.arrayBuffer());
}

/** Committed linear storage [offset, +length) (holes read as zero). */
export async function stored(id: string, offset: number, length: number): Promise<Uint8Array> {
  const response = await SELF.fetch(`${BASE}/v1/contracts/${id}/storage?offset=${offset}&length=${length}`);
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
export const utf8 = (value: string) => new TextEncoder().encode(value);

/** What an instance's DO still holds for transactions: staged storage rows and held transactions. */
export async function txnLeftovers(id: string): Promise<{ staged: number; held: number }> {
  const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
  return runInDurableObject(stub, (_instance, state) => {
    const count = (table: string) => {
      const exists = state.storage.sql
        .exec("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?", table)
        .one().n;
      return exists ? Number(state.storage.sql.exec(`SELECT COUNT(*) AS n FROM ${table}`).one().n) : 0;
    };
    return { staged: count("txn_storage"), held: count("txn_held") };
  });
}
