// Telling participants a decision: all at once after the coordinator decided,
// and again from its alarm for those that did not answer. Each participant
// applies it at most once, so telling twice is harmless.
import type { Decision } from "../../protocol/transaction.js";
import type { TransactionLog } from "../../store/txn/transaction-log.js";

interface SettlePorts {
  log: TransactionLog;
  peer(id: string): { settle(txid: string, decision: Decision): Promise<void> };
}

/** Tells each participant; returns how many have it now (the rest are left to the alarm). */
export async function settleOnce(
  ports: SettlePorts,
  txid: string,
  decision: Decision,
  participants: readonly string[],
): Promise<number> {
  const told = await Promise.allSettled(participants.map((id) => ports.peer(id).settle(txid, decision)));
  let settled = 0;
  told.forEach((result, i) => {
    const participant = participants[i];
    if (result.status !== "fulfilled" || participant === undefined) return;
    ports.log.settled(txid, participant);
    settled++;
  });
  return settled;
}

/** The alarm's retelling of every recorded decision some participant lacks; true if any still does. */
export async function settleAll(
  ports: SettlePorts,
  unsettled: ReadonlyArray<{ txid: string; participant: string }>,
): Promise<boolean> {
  let missing = false;
  for (const { txid, participant } of unsettled) {
    const decision = ports.log.decision(txid);
    if (!decision) continue;
    const told = await settleOnce(ports, txid, { outcome: decision.outcome, discarded: decision.discarded }, [
      participant,
    ]);
    if (told === 0) missing = true;
  }
  return missing;
}
