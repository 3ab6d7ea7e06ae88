// Resolves the Durable Object of a contract instance from its id in a URL.
import type { Env } from "../env.js";
import { encodeId, parseId } from "../identity/ids.js";

export function instanceStub(env: Env, idText: string) {
  const id = encodeId(parseId(idText, "id"));
  return { id, stub: env.CONTRACTS.get(env.CONTRACTS.idFromName(id)) };
}
