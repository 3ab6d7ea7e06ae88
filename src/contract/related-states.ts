// Fetches the states of related instances from their Durable Objects for a
// RequestRelated answer. Every fan-out is bounded: ids per round and per
// request (related-limits.ts, checked by the executor), bytes (every lookup
// costs something, found or not), concurrency and time (here).
import type { StateRead } from "../../durable-objects/contract-object.js";
import { EdgeError, unwrap, type Outcome } from "../errors.js";
import type { Env } from "../env.js";
import { readBounded } from "../http/read-bounded.js";
import { encodeId } from "../identity/ids.js";
import {
  MAX_RELATED_BYTES,
  RELATED_FETCH_CONCURRENCY,
  RELATED_FETCH_TIMEOUT_MS,
  RELATED_LOOKUP_BYTES,
} from "../limits.js";
import { withDeadline } from "./sandbox-failure.js";
import { relatedLimit } from "./related-limits.js";

/** A state to read: its size first, so an oversize one is refused before a byte is read. */
export type StateSource = { size: number; body: ReadableStream<Uint8Array> | null } | null;

export async function fetchRelatedStates(
  env: Env,
  selfId: string,
  readOwn: () => StateSource,
  ids: Uint8Array[],
): Promise<Array<[Uint8Array, Uint8Array | null]>> {
  let budget = MAX_RELATED_BYTES;
  const spend = (bytes: number) => {
    if (bytes > budget) throw relatedLimit("bytes", MAX_RELATED_BYTES, MAX_RELATED_BYTES - budget + bytes);
    budget -= bytes;
  };
  const fetchOne = async (id: Uint8Array): Promise<Uint8Array | null> => {
    spend(RELATED_LOOKUP_BYTES);
    const name = encodeId(id);
    const source = name === selfId ? readOwn() : await readOther(env, name);
    if (!source) return null;
    try {
      spend(source.size);
    } catch (error) {
      await source.body?.cancel();
      throw error;
    }
    return readBounded(source.body, source.size, "related state");
  };
  const out: Array<[Uint8Array, Uint8Array | null]> = ids.map((id) => [id, null]);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const entry = out[i] as [Uint8Array, Uint8Array | null];
      entry[1] = await fetchOne(entry[0]);
    }
  };
  const workers = Array.from({ length: Math.min(RELATED_FETCH_CONCURRENCY, ids.length) }, worker);
  try {
    await withDeadline(Promise.all(workers), RELATED_FETCH_TIMEOUT_MS);
  } catch (error) {
    if (error instanceof EdgeError && error.code === "CONTRACT_DEADLINE") {
      throw relatedLimit("time_ms", RELATED_FETCH_TIMEOUT_MS, RELATED_FETCH_TIMEOUT_MS);
    }
    throw error;
  }
  return out;
}

async function readOther(env: Env, id: string): Promise<StateSource> {
  const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
  // RPC's return type mapping loses the union's narrowing; the shape is unchanged.
  const outcome = (await stub.readState({})) as Outcome<StateRead>;
  if (!outcome.ok) {
    if (outcome.error.code === "CONTRACT_NOT_FOUND" || outcome.error.code === "STATE_NOT_FOUND") return null;
    throw EdgeError.fromBody(outcome.error);
  }
  const read = unwrap(outcome);
  return { size: read.info.size, body: read.body };
}
