// One call of one guest as a namespace's imports see it, and what a
// namespace's sandbox half gives back for the call (src/namespaces binds them).
import type { HostMeter } from "../metering/fuel-meter.js";
import type { InputBuffers } from "./freenet/input-buffers.js";
import type { GuestMemory } from "./guest-memory.js";
import type { ExecutionBlocks } from "./shm/execution-blocks.js";
import type { NamespaceChanges } from "../protocol/sandbox-call.js";

export type HostFunction = (...args: never[]) => unknown;

/** One call of one guest, as every namespace's imports see it. */
export interface GuestCall {
  memory(): GuestMemory;
  /** Imports may suspend the guest on a promise (JSPI); otherwise every answer must be synchronous. */
  jspi: boolean;
  /** The ports answer synchronously (an in-process host, as node tests run one); a sandbox's are RPC stubs. */
  localPorts: boolean;
  /** Charges each import its fuel (src/metering/fuel-costs.ts). */
  meter: HostMeter;
  /** The call's Freenet streaming buffers (every input reaches the guest through them). */
  inputs(): InputBuffers;
  /** The execution's test:shm memory blocks (shared by exchange, pub-sub and edge_call's block passing). */
  blocks(): ExecutionBlocks;
  log(line: string): void;
  now(): Date;
  /** Before an outgoing contract call: every namespace writes back and hands over what changed since the last checkpoint. */
  checkpoint(): NamespaceChanges;
  /** After a call returned: each namespace re-reads what the callee tree changed in this instance. */
  refresh(changed: NamespaceChanges): Promise<void>;
}

/** A namespace's imports for one call, and what it hands back when the guest returned normally. */
export interface GuestBinding<Changes> {
  imports: Record<string, HostFunction>;
  /** What the call changed (since the last checkpoint), for the DO to commit with the call's outcome (or drop). */
  finish?(): Changes | undefined;
  /** What changed since the last checkpoint, written back for an outgoing call (which stages it). */
  checkpoint?(): Changes | undefined;
  /** Re-reads what another frame of the transaction changed (the refresh a call reply carries). */
  refresh?(changed: unknown): void | Promise<void>;
}
