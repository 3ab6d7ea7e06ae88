// Fetches the states of related instances from their Durable Objects for a
// RequestRelated answer; bounded in total bytes because they reach the guest whole.
import type { StateRead } from "../../durable-objects/contract-object.js";
import { EdgeError, unwrap, type Outcome } from "../errors.js";
import type { Env } from "../env.js";
import { readBounded } from "../http/read-bounded.js";
import { encodeId } from "../identity/ids.js";
import { MAX_RELATED_BYTES } from "../limits.js";

/** A state to read: its size first, so an oversize one is refused before a byte is read. */
export type StateSource = { size: number; body: ReadableStream<Uint8Array> | null } | null;

export async function fetchRelatedStates(
  env: Env,
  selfId: string,
  readOwn: () => StateSource,
  ids: Uint8Array[],
): Promise<Array<[Uint8Array, Uint8Array | null]>> {
  let budget = MAX_RELATED_BYTES;
  const out: Array<[Uint8Array, Uint8Array | null]> = [];
  for (const id of ids) {
    const name = encodeId(id);
    const source = name === selfId ? readOwn() : await readOther(env, name);
    if (source && source.size > budget) {
      await source.body?.cancel();
      throw tooMuch(ids);
    }
    const state = source ? await readBounded(source.body, budget, "related state") : null;
    budget -= state?.length ?? 0;
    out.push([id, state]);
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

function tooMuch(ids: Uint8Array[]): EdgeError {
  return new EdgeError("RELATED_UNRESOLVED", `related states exceed ${MAX_RELATED_BYTES} bytes in total`, {
    details: { related: ids.map(encodeId) },
  });
}
