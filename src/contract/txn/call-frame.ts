// One frame of a call tree in this instance: its place in the tree and what
// it has learnt of the transaction from the calls it made (who took part,
// which subtrees failed, how many calls are left, the nodes of its calls).
import { HostStatus, type HostStatusCode } from "../../protocol/host-status.js";
import {
  childPath,
  type CallNode,
  type CallPath,
  type CalleeAnswer,
  type TxnContext,
} from "../../protocol/transaction.js";

const STATUS_NAMES = new Map<number, string>(
  Object.entries(HostStatus).map(([name, value]) => [value, name]),
);

function statusName(status: HostStatusCode): string {
  return status === HostStatus.OK ? "ok" : (STATUS_NAMES.get(status) ?? String(status));
}

export class CallFrame {
  readonly context: TxnContext;
  readonly participants = new Set<string>();
  readonly calls: CallNode[] = [];
  discarded: CallPath[];
  callsLeft: number;
  /** Whether the frame made (or tried) a call: until then nothing of it was staged anywhere. */
  calledOut = false;
  #nextChild = 0;

  constructor(context: TxnContext) {
    this.context = context;
    this.discarded = [...context.discarded];
    this.callsLeft = context.callsLeft;
  }

  get txid(): string {
    return this.context.txid;
  }

  get path(): CallPath {
    return this.context.path;
  }

  /** The context a call from this frame carries down. */
  childContext(fuel: number | null): TxnContext {
    return {
      ...this.context,
      path: childPath(this.context.path, this.#nextChild++),
      discarded: this.discarded,
      fuel,
      callsLeft: this.callsLeft - 1,
    };
  }

  /** Takes in what the answer of a call into `callee` says about the transaction. */
  learn(answer: CalleeAnswer, path: CallPath, callee: string): void {
    for (const id of answer.participants) this.participants.add(id);
    this.discarded = [...answer.discarded];
    if (answer.status !== HostStatus.OK && !this.discarded.includes(path)) this.discarded.push(path);
    this.callsLeft = answer.callsLeft;
    this.calls.push({ ...answer.node, id: callee });
  }

  /** The answer this frame gives its caller; `joined`: this instance took part (holds the lock until the decision). */
  answer(
    self: string,
    status: HostStatusCode,
    output: Uint8Array,
    fuel: number,
    joined = true,
  ): CalleeAnswer {
    const discarded =
      status === HostStatus.OK || this.discarded.includes(this.path)
        ? this.discarded
        : [...this.discarded, this.path];
    return {
      status,
      output,
      fuel,
      participants: joined ? [...new Set([...this.participants, self])] : [...this.participants],
      discarded,
      callsLeft: this.callsLeft,
      node: this.node(self, statusName(status), fuel),
    };
  }

  node(self: string, outcome: string, fuel: number | null): CallNode {
    return { id: self, path: this.path, outcome, fuel, calls: this.calls };
  }
}

/** The answer of a call refused before it entered the callee (which takes no part in the transaction). */
export function refusal(context: TxnContext, status: HostStatusCode): CalleeAnswer {
  return new CallFrame(context).answer("", status, new Uint8Array(0), 0, false);
}
