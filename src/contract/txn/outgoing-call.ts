// One outgoing call of a frame (what its guest's edge_call `call` reaches):
// the seed's write-back first (what the caller changed so far is staged for
// the transaction), then the callee tree in the callee's DO, then what the
// caller must re-read of its own instance (frames a re-entrant frame changed).
import { encodeId, ID_BYTES } from "../../identity/ids.js";
import { MAX_CALL_DEPTH } from "../../limits.js";
import type { CallReply, OutgoingCall } from "../../protocol/call-port.js";
import { HostStatus, type HostStatusCode } from "../../protocol/host-status.js";
import type { CalleeAnswer } from "../../protocol/transaction.js";
import { refusal, type CallFrame } from "./call-frame.js";
import { stageFrame } from "./stage-frame.js";
import { namespacesOf, type TxnPorts } from "./txn-ports.js";

/** A call refused before it left this instance. */
const refused = (status: HostStatusCode): CallReply => ({
  status,
  output: new Uint8Array(0),
  fuel: 0,
  refresh: {},
});

export async function callOut(ports: TxnPorts, frame: CallFrame, request: OutgoingCall): Promise<CallReply> {
  const { hosts } = ports;
  const names = namespacesOf(ports);
  frame.calledOut = true;
  stageFrame(ports, frame, request.flushed);
  if (request.callee.length !== ID_BYTES) return refused(HostStatus.INVALID_ARGUMENT);
  if (frame.callsLeft <= 0) return refused(HostStatus.CALL_LIMIT);
  if (frame.context.stack.length >= MAX_CALL_DEPTH) return refused(HostStatus.CALL_DEPTH_EXCEEDED);
  // Only a re-entrant contract can have been changed by the callee tree: others skip the refresh.
  const marks = ports.code()?.reentrant ? hosts.mark(names) : null;
  const context = frame.childContext(request.fuel);
  const callee = encodeId(request.callee);
  let answer: CalleeAnswer;
  try {
    answer = await ports.peer(callee).enter(context, request.input, request.blocks);
  } catch {
    // The callee's DO failed mid-call: its subtree counts as failed. It may have joined, so it hears
    // the decision (which discards its subtree); participants it reached find out by their alarm.
    answer = { ...refusal(context, HostStatus.CALLEE_TRAPPED), participants: [callee] };
  }
  frame.learn(answer, context.path, callee);
  // Whatever a subtree that failed down there staged here (re-entrant frames of ours) goes now,
  // whether or not the call itself succeeded, so the refresh below never brings it back.
  const failed = frame.discarded.filter((path) => !context.discarded.includes(path));
  hosts.discard(names, frame.txid, failed);
  if (answer.status !== HostStatus.OK) {
    return { status: answer.status, output: answer.output, fuel: answer.fuel, refresh: {} };
  }
  const refresh = marks ? hosts.changedSince(names, frame.txid, marks) : {};
  const blocks = answer.blocks ? { blocks: answer.blocks } : {};
  return { status: HostStatus.OK, output: answer.output, fuel: answer.fuel, refresh, ...blocks };
}
