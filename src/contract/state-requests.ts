// A state PUT and a state GET on one instance: the PUT validates the new
// state with the contract before it commits (an identical one is no new
// version); the GET answers conditionally and by range.
import { checkWriteConditions, isNotModified } from "../http/conditional.js";
import { resolveRange } from "../http/range.js";
import type { PutStateRequest, ReadStateRequest, StateRead } from "../protocol/instance-rpc.js";
import type { StateStore } from "../store/state/state-store.js";
import type { StateVersion } from "../store/state/state-tables.js";
import { etagOf, versionInfo, type VersionInfo } from "../store/state/version-info.js";
import type { ContractExecutor } from "./contract-executor.js";

export async function putState(
  state: StateStore,
  executor: ContractExecutor,
  body: ReadableStream<Uint8Array> | null,
  request: PutStateRequest,
): Promise<VersionInfo & { changed: boolean }> {
  const before = state.head()?.version;
  const version = await state.put(body, {
    expectedLength: request.expectedLength,
    precondition: (head) => checkWriteConditions(request.conditions, head && etagOf(versionInfo(head).hash)),
    validate: (staged) => executor.requireValid(staged),
    keepIdenticalHead: true,
  });
  return { ...versionInfo(version), changed: version.version !== before };
}

export function readState(state: StateStore, head: StateVersion, request: ReadStateRequest): StateRead {
  const info = versionInfo(head);
  if (isNotModified(request.ifNoneMatch, etagOf(info.hash))) return { info, notModified: true, body: null };
  const range = request.range ? resolveRange(request.range, head.size) : undefined;
  const body = state.read(head, range ?? { start: 0, end: head.size });
  return range ? { info, notModified: false, range, body } : { info, notModified: false, body };
}
