// edge_call: contract-to-contract calls. Sandbox half: src/guest-abi/edge-call/;
// DO half: the frame's CallTarget, which runs the callee tree as part of the
// frame's transaction (src/contract/txn/). It keeps no state of its own.
import { bindCall } from "../guest-abi/edge-call/call-imports.js";
import type { CallPort } from "../protocol/call-port.js";
import type { HostNamespace } from "./host-namespace.js";

export const edgeCall: HostNamespace<CallPort | undefined, never, null> = {
  name: "edge_call",
  catalog: {
    call: { params: ["i32", "i32", "i32"], results: ["i32"] },
    call_blocks: { params: ["i32", "i32", "i32", "i32", "i32"], results: ["i32"] },
    call_block: { params: ["i32"], results: ["i32"] },
    call_result_size: { params: [], results: ["i32"] },
    call_result_read: { params: ["i32", "i32", "i32"], results: ["i32"] },
  },
  bind: (call, port) => bindCall(call, port),
  host: {
    open: () => null,
    // Only a `run` frame can call out: Freenet exports get no port and answer DISCONNECTED.
    port: (_store, _instance, frame) => frame?.calls,
  },
};
