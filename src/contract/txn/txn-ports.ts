// What the transaction modules need of their instance and of other
// instances: narrow ports, so they run wherever the DO's SQL and RPC do.
import type { Clock } from "../../clock.js";
import type { PortFrame } from "../../namespaces/host-namespace.js";
import type {
  CalleeAnswer,
  Decision,
  TxnContext,
  TxnReport,
  TxnSummary,
} from "../../protocol/transaction.js";
import type { SqlPort } from "../../store/sql/sql-port.js";
import type { PassedBlock } from "../../protocol/block-port.js";
import type { TransactionLog } from "../../store/txn/transaction-log.js";
import type { ByteResult } from "../contract-executor.js";
import type { NamespaceHosts } from "../namespace-hosts.js";

/** Another instance, as transactions reach it (its DO's txn RPCs). */
export interface TxnPeer {
  enter(context: TxnContext, input: Uint8Array, blocks?: PassedBlock[]): Promise<CalleeAnswer>;
  settle(txid: string, decision: Decision): Promise<void>;
  outcome(txid: string): Promise<TxnReport | null>;
}

export interface TxnPorts {
  /** This instance's base58 id. */
  self: string;
  /** The instance's code, as far as transactions care (null: no instance here). */
  code(): { namespaces: readonly string[] | null; reentrant: boolean; component: boolean } | null;
  hosts: NamespaceHosts;
  sql: SqlPort;
  log: TransactionLog;
  clock: Clock;
  wakeAt(ms: number): void;
  peer(id: string): TxnPeer;
  random(bytes: number): Uint8Array;
  /** Resolves once every write so far is on disk (the DO's storage.sync; the crash points need it). */
  durable(): Promise<void>;
  /** Ends this object at once, as a crash would (fault injection only). */
  crash(reason: string): never;
}

/** Runs the instance's `run` on the call's input in `frame` (the DO builds its executor, with the frame's fuel). */
export type FrameRunner = (frame: PortFrame) => Promise<ByteResult>;

export interface TopLevelResult {
  result: ByteResult;
  storageBytesWritten: number;
  /** Present once the run called out: what the transaction was and did. */
  transaction?: TxnSummary;
}

/** The namespaces of this instance's code (null: every namespace, or no instance). */
export function namespacesOf(ports: TxnPorts): readonly string[] | null {
  return ports.code()?.namespaces ?? null;
}
