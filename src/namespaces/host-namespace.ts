// What a host namespace is: one object holding both halves of an ABI
// namespace, so adding one is a new module and a registry line. The sandbox
// half (`bind`) builds the guest's imports for one call from the port the
// Durable Object handed over; the DO half (`host`) opens the namespace's
// store, builds that port, and commits what a call changed.
import type { Settings } from "../config.js";
import type { Clock } from "../clock.js";
import type { GuestBinding, GuestCall } from "../guest-abi/guest-call.js";
import type { HasherFactory } from "../hashing/blake3.js";
import type { HostMeter } from "../metering/fuel-meter.js";
import type { SqlPort } from "../store/sql/sql-port.js";
import type { GuestOutputBytes } from "../protocol/sandbox-call.js";
import type { CallPort } from "../protocol/call-port.js";
import type { CallPath } from "../protocol/transaction.js";
import type { PassedBlock } from "../protocol/block-port.js";

export type { GuestBinding, GuestCall, HostFunction } from "../guest-abi/guest-call.js";

export interface ImportSpec {
  params: string[];
  results: string[];
}

/** What the DO half of a namespace may use of its instance. */
export interface InstanceContext {
  sql: SqlPort;
  clock: Clock;
  settings: Settings;
  /** Arms the instance's alarm at `ms` (unix ms) unless it is due sooner. */
  wakeAt(ms: number): void;
  /** BLAKE3 (the DO's wasm hasher: a namespace module must not import wasm itself, the sandbox bundles it). */
  newHasher: HasherFactory;
  /** The instance's id (32 bytes) and parameters; only once it is an instance. */
  identity(): { id: Uint8Array; parameters: Uint8Array };
}

/** What a component namespace's host gets for one call besides its port. */
export interface ComponentCall {
  meter: HostMeter;
  /** Fuel the call has used so far (the deterministic clock of a component). */
  fuelUsed(): number;
}

/** The sandbox half of a namespace for components: WIT interfaces instead of core imports. */
export interface ComponentBinding<Changes> {
  /** The import object of jco's glue, by unversioned interface name ("wasi:filesystem/types"). */
  imports: Record<string, Record<string, unknown>>;
  /** What the call changed (flushed first: it may await its port). */
  finish(): Changes | undefined | Promise<Changes | undefined>;
  /** What the guest wrote to stdout and stderr (bounded). */
  output?(): GuestOutput;
}

export type GuestOutput = GuestOutputBytes;

export interface ComponentHost<Port, Changes> {
  /** The WIT interfaces it provides, unversioned ("wasi:io/streams"); a component may import these only. */
  interfaces: readonly string[];
  bind(port: Port, call: ComponentCall): ComponentBinding<Changes>;
}

/** The call frame of a `run` that ports are made for (Freenet exports run in none). */
export interface PortFrame {
  /** The transaction the frame runs in (every run is one; most never leave their instance). */
  txid: string;
  /** Where the frame's outgoing calls go: the DO's CallTarget for it. */
  calls: CallPort;
  /** test:shm blocks the frame's caller passed (edge_call `call_blocks`). */
  blocks?: PassedBlock[];
}

/**
 * The DO half of a namespace whose changes a transaction stages (src/contract/txn):
 * a frame's changes wait under (txid, call path), frames of the transaction read
 * through them, a failed subtree's go, and commit applies them all at once.
 */
export interface NamespaceTxn<Port, Changes, Store> {
  /** The port of a frame of `txid`: its reads see what the transaction staged here. */
  port(store: Store, instance: InstanceContext, txid: string): Port;
  /** Stages a frame's changes; false when there was nothing to stage (nothing was written). */
  stage(store: Store, txid: string, path: CallPath, changes: Changes): boolean;
  /** A position in the staged rows: `changedSince` answers what came after it. */
  mark(store: Store): number;
  /** What frames staged after `mark` changed, for a caller to re-read (undefined: nothing). */
  changedSince(store: Store, txid: string, mark: number): unknown;
  discard(store: Store, txid: string, prefixes: readonly CallPath[]): void;
  /** Commits what `txid` staged (inside the caller's SQL transaction); returns bytes written. */
  apply(store: Store, txid: string): number;
  drop(store: Store, txid: string): void;
}

export interface NamespaceHost<Port, Changes, Store> {
  /** Opens the namespace's tables on the instance (only once it is an instance). */
  open(instance: InstanceContext): Store;
  /** The port one call's imports talk to: plain data and RpcTargets, sent to the sandbox with the call. */
  port(store: Store, instance: InstanceContext, frame: PortFrame | null): Port;
  /** How its changes take part in a transaction across instances; without it, its code cannot. */
  txn?: NamespaceTxn<Port, Changes, Store>;
  /** Commits a call's changes, inside the transaction that commits its outcome; returns bytes written. */
  commit?(store: Store, changes: Changes): number;
  /** The alarm's work (idempotent); returns when it next has work (unix ms), or null. */
  collect?(store: Store): number | null;
}

export interface HostNamespace<Port = unknown, Changes = unknown, Store = unknown> {
  /** The wasm import module name. */
  name: string;
  /** Every core import the namespace provides, with its exact signature (the upload check admits these; empty for component-only namespaces). */
  catalog: Record<string, ImportSpec>;
  /** The sandbox half: `port` is what the DO handed over for this call (undefined: none). */
  bind(call: GuestCall, port: Port | undefined): GuestBinding<Changes>;
  /** The DO half, for namespaces backed by instance state. */
  host?: NamespaceHost<Port, Changes, Store>;
  /** The sandbox half for component contracts (WASI Preview 2 through jco's glue). */
  component?: ComponentHost<Port, Changes>;
}

export function sameSignature(a: ImportSpec, b: ImportSpec): boolean {
  return a.params.join() === b.params.join() && a.results.join() === b.results.join();
}
