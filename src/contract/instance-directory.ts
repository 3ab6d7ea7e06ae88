// Reads another instance's current state through its Durable Object, for
// related-state lookups: a missing instance or state is null, not an error.
import { EdgeError, unwrap, type Outcome } from "../errors.js";
import type { InstanceRpc, StateRead } from "../protocol/instance-rpc.js";
import type { StateSource } from "./related-states.js";

export async function readInstanceState(
  instances: DurableObjectNamespace<InstanceRpc>,
  id: string,
): Promise<StateSource> {
  const stub = instances.get(instances.idFromName(id));
  // RPC's return type mapping loses the union's narrowing; the shape is unchanged.
  const outcome = (await stub.readState({})) as Outcome<StateRead>;
  if (!outcome.ok) {
    if (outcome.error.code === "CONTRACT_NOT_FOUND" || outcome.error.code === "STATE_NOT_FOUND") return null;
    throw EdgeError.fromBody(outcome.error);
  }
  const read = unwrap(outcome);
  return { size: read.info.size, body: read.body };
}
