// An update is read-modify-write: run update_state against the head, then
// commit the new state only if the head is still the one it was computed
// from (and the client's If-Match holds), in one transaction. As in
// freenet-core's executor (the upsert path), update_state is not trusted
// alone: validate_state must answer Valid on the merged state (streamed back
// from its staged frames) before it commits, and a result identical to the
// head is no new version.
import type { UpdateData } from "../protocol/freenet-bincode.js";
import { EdgeError } from "../errors.js";
import { checkWriteConditions, type WriteConditions } from "../http/conditional.js";
import type { StagedState, StateStore } from "../store/state/state-store.js";
import { etagOf, versionInfo, type VersionInfo } from "../store/state/version-info.js";
import type { NamespaceChanges } from "../protocol/sandbox-call.js";
import type { ContractExecutor } from "./contract-executor.js";

/** The update a request carries, as update_state takes it. */
export function updatesOf(request: { kind: "delta" | "state"; data: Uint8Array }): UpdateData[] {
  return [
    request.kind === "delta"
      ? { kind: "Delta", delta: request.data }
      : { kind: "State", state: request.data },
  ];
}

export async function runUpdate(
  state: StateStore,
  executor: ContractExecutor,
  updates: UpdateData[],
  conditions: WriteConditions,
  commitChanges: (changes: NamespaceChanges) => void,
): Promise<VersionInfo & { changed: boolean }> {
  const base = state.head();
  if (!base) throw new EdgeError("STATE_NOT_FOUND", "this contract has no state to update; PUT one first");
  const etag = etagOf(versionInfo(base).hash);
  checkWriteConditions(conditions, etag);
  const result = await executor.update(base, updates, true);
  if (result.size === null) {
    // No new state, but storage the call wrote still commits (atomically, on its own).
    state.transaction(() => commitChanges(result.changes));
    return { ...versionInfo(base), changed: false };
  }
  const version = await state.put(result.body, {
    expectedLength: result.size,
    alsoCommit: () => commitChanges(result.changes),
    // As freenet-core does: an identical result is no new version, and a new one must validate.
    keepIdenticalHead: true,
    // The sandbox may have judged a small result in the update's own call already.
    ...(result.validated ? {} : { validate: (staged: StagedState) => executor.requireValid(staged) }),
    precondition: (head) => {
      // A state PUT that committed while the contract ran would be silently overwritten.
      if (head?.version !== base.version) {
        throw new EdgeError("PRECONDITION_FAILED", "the state changed while the update ran; retry", {
          details: { base: base.version, current: head?.version ?? null },
        });
      }
      checkWriteConditions(conditions, etag);
    },
  });
  return { ...versionInfo(version), changed: version.version !== base.version };
}
