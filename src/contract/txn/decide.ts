// The coordinator's decision on a top-level run that called out. Commit:
// its own staged and final changes apply and the decision is recorded in one
// SQLite transaction, on disk before any participant hears of it (output gate). Abort: its
// staged changes go and the abort is recorded. Then every participant is
// told; those that do not answer are retold by the alarm.
import { TXN_OUTCOME_RETENTION_MS, TXN_SETTLE_RETRY_MS } from "../../limits.js";
import type { Decision, Fault, FaultPoint, TxnSummary } from "../../protocol/transaction.js";
import type { ByteResult } from "../contract-executor.js";
import type { CallFrame } from "./call-frame.js";
import { settleOnce } from "./settle.js";
import { namespacesOf, type TxnPorts } from "./txn-ports.js";

export function faultAt(fault: Fault | undefined, point: FaultPoint, self: string): boolean {
  return fault?.point === point && (fault.instance === undefined || fault.instance === self);
}

export async function commitTree(
  ports: TxnPorts,
  frame: CallFrame,
  result: ByteResult,
): Promise<{ written: number; transaction: TxnSummary }> {
  const { hosts, log, clock, self } = ports;
  const names = namespacesOf(ports);
  const { txid, context } = frame;
  const participants = others(ports, frame);
  if (faultAt(context.fault, "coordinator-crash-before-decision", self)) {
    ports.crash(`fault injection: coordinator ${self} crashes before deciding ${txid}`);
  }
  const decision: Decision = { outcome: "committed", discarded: frame.discarded };
  const written = ports.sql.transaction(() => {
    hosts.discard(names, txid, frame.discarded);
    const bytes = hosts.applyStaged(names, txid) + hosts.commit(result.changes);
    log.decide(txid, { ...decision, decidedAt: clock.now() }, participants);
    log.release(txid);
    return bytes;
  });
  // No participant hears of it before it is on disk: the output gate holds outgoing RPCs until the
  // write is confirmed (Cloudflare's glossary). The crash point waits for that too, so it models a
  // crash after the decision is durable, not one that loses it (which is a crash before deciding).
  if (faultAt(context.fault, "coordinator-crash-after-decision", self)) {
    await ports.durable();
    ports.crash(`fault injection: coordinator ${self} crashes after deciding ${txid}`);
  }
  const settled = await tell(
    ports,
    txid,
    context.fault ? { ...decision, fault: context.fault } : decision,
    participants,
  );
  const calls = frame.node(self, "ok", result.stats.fuel);
  return {
    written,
    transaction: { id: txid, outcome: "committed", participants: participants.length, settled, calls },
  };
}

export async function abortTree(ports: TxnPorts, frame: CallFrame): Promise<void> {
  const { hosts, log, clock } = ports;
  const participants = others(ports, frame);
  const decision: Decision = { outcome: "aborted", discarded: frame.discarded };
  ports.sql.transaction(() => {
    hosts.dropStaged(namespacesOf(ports), frame.txid);
    log.decide(frame.txid, { ...decision, decidedAt: clock.now() }, participants);
    log.release(frame.txid);
  });
  await tell(ports, frame.txid, decision, participants);
}

function others(ports: TxnPorts, frame: CallFrame): string[] {
  return [...frame.participants].filter((id) => id !== ports.self);
}

async function tell(
  ports: TxnPorts,
  txid: string,
  decision: Decision,
  participants: string[],
): Promise<number> {
  const settled = await settleOnce(ports, txid, decision, participants);
  // The alarm retells whoever missed it, and prunes the record once its retention is over.
  const now = ports.clock.now();
  ports.wakeAt(now + (settled < participants.length ? TXN_SETTLE_RETRY_MS : TXN_OUTCOME_RETENTION_MS));
  return settled;
}
