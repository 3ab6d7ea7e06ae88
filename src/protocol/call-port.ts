// What crosses between a guest's edge_call imports (sandbox) and its
// instance's Durable Object for one outgoing call: the callee, the input, the
// caller's storage written back so far, and the fuel left; back come the
// answer, the fuel the callee tree used and what the caller must re-read.
import type { HostStatusCode } from "./host-status.js";
import type { NamespaceChanges } from "./sandbox-call.js";
import type { BlockBytes, PassedBlock } from "./block-port.js";

export interface OutgoingCall {
  /** The callee's 32-byte instance id. */
  callee: Uint8Array;
  input: Uint8Array;
  /** The caller's namespace changes since its last checkpoint (written back before the call leaves). */
  flushed: NamespaceChanges;
  /** Fuel the caller has left: the callee tree may use this much (null: unmetered). */
  fuel: number | null;
  /** test:shm blocks passed with the call (edge_call `call_blocks`), by value. */
  blocks?: PassedBlock[];
}

export interface CallReply {
  status: HostStatusCode;
  /** The callee's run output; its error message for CALLEE_REFUSED; else empty. */
  output: Uint8Array;
  /** Fuel the callee tree used (counts against the caller's budget). */
  fuel: number;
  /** Per namespace, what the callee tree changed in the caller's own instance (re-entry); only on success. */
  refresh: NamespaceChanges;
  /** The passed blocks as the callee left them (null: transferred); only on success. */
  blocks?: Array<BlockBytes | null>;
}

/** The DO's CallTarget for one call frame. */
export interface CallPort {
  call(request: OutgoingCall): Promise<CallReply> | CallReply;
}
