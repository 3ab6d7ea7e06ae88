// What instances tell each other about one transaction: the context a call
// carries down the tree, what a callee answers up, the coordinator's decision
// and its outcome query. Types and pure helpers only.
import { hex } from "@scure/base";
import type { HostStatusCode } from "./host-status.js";
import type { BlockBytes } from "./block-port.js";

/** A call frame's place in the tree: "r" is the top-level run, "r.0" its first call, "r.0.2" ... */
export type CallPath = string;

export const ROOT_PATH: CallPath = "r";

/** Test-only crash points (honoured only with FAULT_INJECTION=1, see README "Transactions"). */
export type FaultPoint =
  | "coordinator-crash-before-decision"
  | "coordinator-crash-after-decision"
  | "participant-crash-before-commit"
  | "participant-crash-before-answer";

export interface Fault {
  point: FaultPoint;
  /** For participant faults: the instance (base58 id) that crashes. */
  instance?: string;
}

export interface TxnContext {
  /** `<coordinator id>-<random hex>`: names the coordinator, so anyone can ask it for the outcome. */
  txid: string;
  /** Start time (unix ms): older transactions wait for younger ones, younger ones give way (wait-die). */
  age: number;
  path: CallPath;
  /** Base58 ids of the instances with a frame on the call stack, outermost first (the callee not yet). */
  stack: string[];
  /** Subtrees that failed so far: their changes are gone in every instance. */
  discarded: CallPath[];
  /** Fuel the callee tree may use (null: unmetered). */
  fuel: number | null;
  /** Calls the rest of the transaction may still make. */
  callsLeft: number;
  fault?: Fault;
}

export interface CallNode {
  id: string;
  path: CallPath;
  /** "ok", or the status name the caller got. */
  outcome: string;
  fuel: number | null;
  calls: CallNode[];
}

/** A callee's answer, up one level of the tree. */
export interface CalleeAnswer {
  status: HostStatusCode;
  output: Uint8Array;
  fuel: number;
  /** Instances the subtree entered (they hold locks until the decision reaches them). */
  participants: string[];
  /** Subtrees discarded so far in the whole transaction (the context's, plus any new). */
  discarded: CallPath[];
  callsLeft: number;
  node: CallNode;
  /** The test:shm blocks the caller passed, as the callee left them (null: transferred). */
  blocks?: Array<BlockBytes | null>;
}

export type TxnOutcome = "committed" | "aborted";

export interface Decision {
  outcome: TxnOutcome;
  discarded: CallPath[];
  fault?: Fault;
}

/** What a top-level run that called out tells its client about its transaction. */
export interface TxnSummary {
  id: string;
  outcome: "committed";
  /** Instances other than the coordinator that took part, and how many have the decision already. */
  participants: number;
  settled: number;
  calls: CallNode;
}

/** What the coordinator answers about a transaction. */
export interface TxnReport {
  txid: string;
  status: TxnOutcome | "active";
  decidedAt: number | null;
  discarded: CallPath[];
  participants: Array<{ id: string; settled: boolean }>;
}

export function txnIdOf(coordinator: string, random: Uint8Array): string {
  return `${coordinator}-${hex.encode(random)}`;
}

/** The coordinator's base58 id, or null when `txid` is not one of ours. */
export function coordinatorOf(txid: string): string | null {
  const match = /^([1-9A-HJ-NP-Za-km-z]{32,50})-([0-9a-f]{32})$/.exec(txid);
  return match?.[1] ?? null;
}

export function childPath(parent: CallPath, index: number): CallPath {
  return `${parent}.${index}`;
}

/** Whether `path` lies in the subtree rooted at `prefix`. */
export function within(path: CallPath, prefix: CallPath): boolean {
  return path === prefix || path.startsWith(`${prefix}.`);
}

/** Wait-die: may `requester` wait for `holder` (it is older), or must it give way? */
export function mayWait(requester: { age: number; txid: string }, holder: { age: number; txid: string }) {
  return requester.age < holder.age || (requester.age === holder.age && requester.txid < holder.txid);
}
