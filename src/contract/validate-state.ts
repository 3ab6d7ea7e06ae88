// THE seam where contract execution will judge a state before it commits
// (SPEC section 5: validate_state). Until the execution issue lands, every
// fully received state is accepted as is.
import type { InstanceRecord } from "../instance/instance-record.js";
import type { StagedState } from "../state/state-store.js";

export async function validateStagedState(_instance: InstanceRecord, _staged: StagedState): Promise<void> {}
