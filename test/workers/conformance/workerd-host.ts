// The conformance host for workerd: each instance is created over the real
// HTTP API (code upload, POST /v1/contracts) and runs in its Durable Object
// over DO SQLite, its guest in a sandbox isolate; what an instance keeps is
// read back through the inspection routes. Time is real. Whether guests can
// wait for the instance follows PAGE_MODE (the workers-prefetch project sets it).
import { SELF, env, runDurableObjectAlarm } from "cloudflare:test";
import { readSettings } from "../../../src/config.js";
import type {
  ConformanceHost,
  ConformanceInstance,
  LeaseView,
  RunOutcome,
  StorageStats,
} from "../../support/conformance/conformance-host.js";
import { BASE, createInstance, type ErrorJson } from "../support/api.js";
import { contractUrl } from "../support/exec.js";

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
const unhex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));

async function bytesOf(response: Response): Promise<Uint8Array> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function jsonOf<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function outcomeOf(response: Response): Promise<RunOutcome> {
  if (response.status === 200) return { kind: "ok", body: new Uint8Array(await response.arrayBuffer()) };
  const { error } = (await response.json()) as ErrorJson;
  if (error.code === "CONTRACT_REJECTED" && error.details?.variant === "RunError") {
    return { kind: "rejected", message: String(error.details.message) };
  }
  return { kind: "failed", code: error.code };
}

function conformanceInstance(id: string): ConformanceInstance {
  const leases = `${BASE}/v1/contracts/${id}/leases`;
  return {
    run: async (input) =>
      outcomeOf(await SELF.fetch(contractUrl(id, "run"), { method: "POST", body: input })),
    storageBytes: async (offset, length) =>
      bytesOf(await SELF.fetch(contractUrl(id, `storage?offset=${offset}&length=${length}`))),
    storageStats: async () => jsonOf<StorageStats>(await SELF.fetch(contractUrl(id, "storage/stats"))),
    leases: async () => {
      const { leases: listed } = await jsonOf<{ leases: Array<Omit<LeaseView, "id"> & { id: string }> }>(
        await SELF.fetch(leases),
      );
      return listed.map(({ id: leaseId, status, arenaSize, createdAt, expiresAt }) => ({
        id: unhex(leaseId),
        status,
        arenaSize,
        createdAt,
        expiresAt,
      }));
    },
    leaseBytes: async (leaseId, offset, length) =>
      bytesOf(await SELF.fetch(`${leases}/${hex(leaseId)}/bytes?offset=${offset}&length=${length}`)),
    arenaBytes: async (offset, length) =>
      bytesOf(await SELF.fetch(`${leases}/arena/bytes?offset=${offset}&length=${length}`)),
    // Runs the alarm if one is armed (false: none is, so it has no work either).
    alarm: async () => {
      await runDurableObjectAlarm(env.CONTRACTS.get(env.CONTRACTS.idFromName(id)));
    },
    elapse: (secs) => new Promise((resolve) => setTimeout(resolve, secs * 1000)),
  };
}

export function workerdHost(): ConformanceHost {
  const prefetch = env.PAGE_MODE === "prefetch";
  return {
    name: prefetch ? "workerd, pages prefetched (no JSPI)" : "workerd with JSPI",
    reachesInstance: !prefetch,
    clockControl: false,
    alarmControl: false,
    limits: readSettings(env),
    open: async (contract) => conformanceInstance(await createInstance({}, contract, new Uint8Array(0))),
  };
}
