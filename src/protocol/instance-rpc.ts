// What the Worker's routes (and other instances) ask of a ContractObject over
// RPC, and what it answers. The class implements InstanceRpc; Env names the
// namespace by this interface, so nothing imports the class for its types.
import type { PassedBlock } from "./block-port.js";
import type { Delivery, DeliveryAck, SubscribeAnswer } from "./pubsub-port.js";
import type { PubSubApi } from "../contract/pubsub/pubsub-api.js";
import type { ByteResult, ValidateOutcome } from "../contract/contract-executor.js";
import type { ExecutionOptions, FuelReport } from "../contract/execution-options.js";
import type { Outcome } from "../errors.js";
import type { EtagCondition, WriteConditions } from "../http/conditional.js";
import type { ByteRange, RangeRequest } from "../http/range.js";
import type { FileRead, FilesAt, FilesLookup } from "../contract/files-reads.js";
import type { InstanceRecord } from "../store/instance/instance-record.js";
import type { CalleeAnswer, Decision, TxnContext, TxnReport, TxnSummary } from "./transaction.js";
import type { LeaseApi } from "../store/leases/lease-api.js";
import type { StorageStats } from "../store/linear-storage/linear-storage-tables.js";
import type { VersionInfo } from "../store/state/version-info.js";

export interface PutStateRequest extends ExecutionOptions {
  expectedLength: number;
  conditions: WriteConditions;
}

export interface ReadStateRequest {
  ifNoneMatch?: EtagCondition;
  range?: RangeRequest;
}

export interface StateRead {
  info: VersionInfo;
  notModified: boolean;
  /** Present for a partial response. */
  range?: ByteRange;
  body: ReadableStream<Uint8Array> | null;
}

export interface UpdateRequest extends ExecutionOptions {
  kind: "delta" | "state";
  data: Uint8Array;
  conditions: WriteConditions;
}

export interface ContractBytes extends ByteResult {
  info: VersionInfo;
}

/** A write's answer: the head after it, whether it is a new version, and the fuel used. */
export type WriteAnswer = VersionInfo & { changed: boolean } & FuelReport;

export type RunAnswer = ByteResult & {
  storageBytesWritten: number;
  /** Present when the run called other contracts: its transaction and call tree. */
  transaction?: TxnSummary;
  /** A component's files after the run (committed, or unchanged when it wrote nothing). */
  files?: FilesAt;
};

export interface FileReadRequest {
  range?: RangeRequest;
  ifNoneMatch?: EtagCondition;
}

export interface InstanceRpc extends Rpc.DurableObjectBranded {
  create(record: InstanceRecord): Promise<Outcome<{ record: InstanceRecord; created: boolean }>>;
  describe(): Promise<Outcome<InstanceRecord>>;
  putState(body: ReadableStream<Uint8Array> | null, request: PutStateRequest): Promise<Outcome<WriteAnswer>>;
  readState(request: ReadStateRequest): Promise<Outcome<StateRead>>;
  updateState(request: UpdateRequest): Promise<Outcome<WriteAnswer>>;
  runContract(input: Uint8Array, options?: ExecutionOptions): Promise<Outcome<RunAnswer>>;
  summarize(options?: ExecutionOptions): Promise<Outcome<ContractBytes>>;
  delta(summary: Uint8Array, options?: ExecutionOptions): Promise<Outcome<ContractBytes>>;
  validateCurrent(
    resolve: boolean,
    options?: ExecutionOptions,
  ): Promise<Outcome<ValidateOutcome & { info: VersionInfo }>>;
  storageStats(): Promise<Outcome<StorageStats>>;
  readStorage(offset: number, length: number): Promise<Outcome<ReadableStream<Uint8Array>>>;
  leases(): Promise<Outcome<LeaseApi>>;
  /** A component's file or directory (with its listing and proof if asked). */
  files(path: string, want: { entries: boolean; proof: boolean }): Promise<Outcome<FilesLookup>>;
  readFile(path: string, request: FileReadRequest): Promise<Outcome<FileRead>>;
  // Transactions across instances (src/contract/txn): what instances ask each other.
  /** A call from another frame of `context.txid` into this instance's `run`. */
  txnEnter(context: TxnContext, input: Uint8Array, blocks?: PassedBlock[]): Promise<CalleeAnswer>;
  /** The coordinator's decision (idempotent). */
  txnSettle(txid: string, decision: Decision): Promise<void>;
  /** The coordinator's knowledge of `txid` (null: none, so it never committed). */
  txnOutcome(txid: string): Promise<TxnReport | null>;
  /** GET /v1/transactions/:txid on the coordinator. */
  transaction(txid: string): Promise<Outcome<TxnReport>>;
  // Pub-sub (test:shm): the routes' view, and what feeds ask of a subscriber's inbox.
  pubsub(): Promise<Outcome<PubSubApi>>;
  shmDeliver(publisher: string, delivery: Delivery): Promise<DeliveryAck>;
  shmInboxDepth(publisher: string): Promise<number | null>;
  shmSubscribe(subscriber: string, subscribe: boolean): Promise<SubscribeAnswer>;
}
