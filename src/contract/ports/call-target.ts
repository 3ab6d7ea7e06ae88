// The DO's end of one call frame's edge_call imports: a pure forwarder to the
// frame's outgoing-call handler (src/contract/txn/transactions.ts).
import { RpcTarget } from "cloudflare:workers";
import type { CallPort, CallReply, OutgoingCall } from "../../protocol/call-port.js";

export class CallTarget extends RpcTarget implements CallPort {
  readonly #call: (request: OutgoingCall) => Promise<CallReply>;

  constructor(call: (request: OutgoingCall) => Promise<CallReply>) {
    super();
    this.#call = call;
  }

  call(request: OutgoingCall): Promise<CallReply> {
    return this.#call(request);
  }
}
