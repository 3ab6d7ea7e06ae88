// Fetches the states of related instances from their Durable Objects for a
// RequestRelated answer. Every fan-out is bounded: ids per round and per
// request (related-limits.ts, checked by the executor), bytes (every lookup
// costs something, found or not), concurrency and time (here).
import { EdgeError } from "../errors.js";
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

/** Where related states come from: the instance itself, or another one by id (null: none). */
export interface RelatedStatePort {
  selfId: string;
  readOwn(): StateSource;
  readOther(id: string): Promise<StateSource>;
}

export async function fetchRelatedStates(
  port: RelatedStatePort,
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
    const source = name === port.selfId ? port.readOwn() : await port.readOther(name);
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
