// What a host namespace is: one object holding both halves of an ABI
// namespace, so adding one is a new module and a registry line. The sandbox
// half (`bind`) builds the guest's imports for one call from the port the
// Durable Object handed over; the DO half (`host`) opens the namespace's
// store, builds that port, and commits what a call changed.
import type { Settings } from "../config.js";
import type { Clock } from "../clock.js";
import type { GuestBinding, GuestCall } from "../guest-abi/guest-call.js";
import type { SqlPort } from "../store/sql/sql-port.js";

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
}

export interface NamespaceHost<Port, Changes, Store> {
  /** Opens the namespace's tables on the instance (only once it is an instance). */
  open(instance: InstanceContext): Store;
  /** The port one call's imports talk to: plain data and RpcTargets, sent to the sandbox with the call. */
  port(store: Store, instance: InstanceContext): Port;
  /** Commits a call's changes, inside the transaction that commits its outcome; returns bytes written. */
  commit?(store: Store, changes: Changes): number;
  /** The alarm's work (idempotent); returns when it next has work (unix ms), or null. */
  collect?(store: Store): number | null;
}

export interface HostNamespace<Port = unknown, Changes = unknown, Store = unknown> {
  /** The wasm import module name. */
  name: string;
  /** Every import the namespace provides, with its exact signature (the upload check admits these). */
  catalog: Record<string, ImportSpec>;
  /** The sandbox half: `port` is what the DO handed over for this call (undefined: none). */
  bind(call: GuestCall, port: Port | undefined): GuestBinding<Changes>;
  /** The DO half, for namespaces backed by instance state. */
  host?: NamespaceHost<Port, Changes, Store>;
}

export function sameSignature(a: ImportSpec, b: ImportSpec): boolean {
  return a.params.join() === b.params.join() && a.results.join() === b.results.join();
}
