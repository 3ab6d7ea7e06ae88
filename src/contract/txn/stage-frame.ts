// Staging a frame's changes in this instance. The first time anything is
// staged for a transaction, the instance records on disk that the transaction
// holds it and arms the in-doubt alarm; a frame that changed nothing writes
// nothing, so its answer is not held back by the output gate, and an eviction
// loses no more than an in-memory lock on bytes nobody changed.
import { TXN_IN_DOUBT_MS } from "../../limits.js";
import { coordinatorOf } from "../../protocol/transaction.js";
import type { NamespaceChanges } from "../../protocol/sandbox-call.js";
import type { CallFrame } from "./call-frame.js";
import type { TxnPorts } from "./txn-ports.js";

export function stageFrame(ports: TxnPorts, frame: CallFrame, changes: NamespaceChanges): void {
  const { txid, age, path } = frame.context;
  const newlyHeld = ports.sql.transaction(() => {
    if (!ports.hosts.stage(txid, path, changes) || ports.log.isHeld(txid)) return false;
    const coordinator = coordinatorOf(txid) ?? ports.self;
    const role = coordinator === ports.self ? "coordinator" : "participant";
    ports.log.hold({ txid, coordinator, age, role, since: ports.clock.now() });
    return true;
  });
  if (newlyHeld) ports.wakeAt(ports.clock.now() + TXN_IN_DOUBT_MS);
}
