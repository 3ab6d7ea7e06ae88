// One Durable Object per contract instance. It only wires: SQL port -> the
// open instance (stores and namespace hosts), request -> executor
// (src/contract/executor-factory.ts) -> domain module, result -> RPC outcome.
// The RPC types live in src/protocol/instance-rpc.ts.
import { DurableObject } from "cloudflare:workers";
import { systemClock, type Clock } from "../src/clock.js";
import { CodeStore } from "../src/code/code-store.js";
import { readSettings, type Settings } from "../src/config.js";
import type { ContractExecutor } from "../src/contract/contract-executor.js";
import type { ExecutionOptions } from "../src/contract/execution-options.js";
import { executorFor } from "../src/contract/executor-factory.js";
import { openInstance, type OpenInstance } from "../src/contract/open-instance.js";
import { runUpdate, updatesOf } from "../src/contract/run-update.js";
import { SerialQueue } from "../src/contract/serial-queue.js";
import { putState, readState } from "../src/contract/state-requests.js";
import type { Env } from "../src/env.js";
import { EdgeError, toOutcome, type Outcome } from "../src/errors.js";
import { newHasher } from "../src/hashing/blake3-module.js";
import { edgeStorage } from "../src/namespaces/edge-storage.js";
import { fbmu, leasesChanged } from "../src/namespaces/fbmu.js";
import type { HostNamespace } from "../src/namespaces/host-namespace.js";
import { isComponentCode } from "../src/namespaces/registry.js";
import { wasiFilesystem } from "../src/namespaces/wasi-filesystem.js";
import { filesAt, lookupFiles, readFile } from "../src/contract/files-reads.js";
import type { FileStore } from "../src/store/files/file-store.js";
import type * as Rpc from "../src/protocol/instance-rpc.js";
import type { InstanceRecord } from "../src/store/instance/instance-record.js";
import { hasInstanceSchema } from "../src/store/instance/instance-stores.js";
import { LeaseApi } from "../src/store/leases/lease-api.js";
import { durableObjectSql } from "../src/store/sql/durable-object-sql.js";
import type { SqlPort } from "../src/store/sql/sql-port.js";
import type { StateVersion } from "../src/store/state/state-tables.js";
import type { PortFrame } from "../src/namespaces/host-namespace.js";
import type { CalleeAnswer, Decision, TxnContext, TxnReport } from "../src/protocol/transaction.js";
import { HostStatus } from "../src/protocol/host-status.js";
import { refusal } from "../src/contract/txn/call-frame.js";
import { versionInfo, type VersionInfo } from "../src/store/state/version-info.js";
import type { PassedBlock } from "../src/protocol/block-port.js";
import type { Delivery, DeliveryAck, SubscribeAnswer } from "../src/protocol/pubsub-port.js";
import { errorResponse, toEdgeError } from "../src/http/error-response.js";
import { InstanceServices } from "../src/contract/instance-services.js";

export class ContractObject extends DurableObject<Env> implements Rpc.InstanceRpc {
  readonly #sql: SqlPort;
  readonly #settings: Settings;
  readonly #clock: Clock = systemClock;
  /** Updates and runs one at a time, so each reads what the one before committed. */
  readonly #serial = new SerialQueue();
  #opened: OpenInstance | undefined;
  #extras: InstanceServices | undefined;
  /** Contracts run metered; only the benchmark's baseline subclass turns it off. */
  protected readonly metered: boolean = true;

  // Nothing here touches storage: an object that is not an instance must stay empty.
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = durableObjectSql(ctx.storage);
    this.#settings = readSettings(env);
  }

  /** The open instance, or null when this object is no instance (and stays untouched). */
  #open(create = false): OpenInstance | null {
    if (this.#opened || (!create && !hasInstanceSchema(this.#sql))) return this.#opened ?? null;
    this.#opened = openInstance(this.#sql, this.#settings, this.#clock, (ms) => void this.#wakeAt(ms));
    return this.#opened;
  }

  get #instance(): OpenInstance {
    return this.#open() ?? throwNotFound();
  }

  /** Idempotent (alarms are at-least-once): collect replaced state and namespace leftovers, finish transactions, re-arm. */
  override async alarm(): Promise<void> {
    const opened = this.#open();
    if (!opened) return;
    opened.state.collectRetired();
    const collect = opened.hosts.collect();
    const recover = await this.#services.transactions.recover();
    await this.#services.pubsub.afterCommit();
    const next = collect === null ? recover : recover === null ? collect : Math.min(collect, recover);
    if (next !== null) await this.#wakeAt(Math.max(next, this.#clock.now()));
  }

  /** Transactions, pub-sub and live subscribers of this instance (opened with it). */
  get #services(): InstanceServices {
    this.#extras ??= new InstanceServices({
      state: this.ctx,
      instances: this.env.CONTRACTS,
      sql: this.#sql,
      clock: this.#clock,
      opened: this.#instance,
      wakeAt: (ms) => void this.#wakeAt(ms),
      executor: () => this.#executor(this.#requireRecord(), {}),
    });
    return this.#extras;
  }

  /** GET /v1/contracts/:id/subscribe, forwarded by the route once it asked to upgrade. */
  override async fetch(request: Request): Promise<Response> {
    try {
      this.#requireRecord();
      return this.#services.subscriptions.accept(request);
    } catch (error) {
      return errorResponse(toEdgeError(error));
    }
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (this.#open()?.instance.get()) this.#services.subscriptions.message(socket, message);
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    try {
      socket.close(code, reason);
    } catch {
      // Closed already.
    }
  }

  /** Moves the alarm earlier if `ms` comes before it; never later. */
  async #wakeAt(ms: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > ms) await this.ctx.storage.setAlarm(ms);
  }

  async create(record: InstanceRecord) {
    return toOutcome(() => (this.#open(true) ?? throwNotFound()).instance.create(record));
  }

  async describe() {
    return toOutcome(() => this.#requireRecord());
  }

  async putState(body: ReadableStream<Uint8Array> | null, request: Rpc.PutStateRequest) {
    return toOutcome(async () => {
      const record = this.#open()?.instance.get();
      if (!record) {
        await body?.cancel().catch(() => {});
        throwNotFound();
      }
      const executor = this.#executor(record, request);
      const info = await putState(this.#instance.state, executor, body, request);
      this.#services.notify();
      return { ...info, fuel: executor.fuelUsed };
    });
  }

  async readState(request: Rpc.ReadStateRequest) {
    return toOutcome(() => readState(this.#instance.state, this.#requireHead(), request));
  }

  /** update_state against the head; its namespace changes commit with the new version. */
  async updateState(request: Rpc.UpdateRequest) {
    return this.#serial.run(() =>
      toOutcome(() =>
        // A transaction holding the instance finishes first (bounded wait, else CONFLICT).
        this.#services.transactions.exclusive(async () => {
          const executor = this.#executor(this.#requireRecord(), request);
          const { state, hosts } = this.#instance;
          const commit = (changes: Record<string, unknown>) => hosts.commit(changes);
          const info = await runUpdate(state, executor, updatesOf(request), request.conditions, commit);
          await this.#services.pubsub.afterCommit();
          this.#services.notify();
          return { ...info, fuel: executor.fuelUsed };
        }),
      ),
    );
  }

  /**
   * The generic entry, and the top of a transaction: what it (and every call it
   * made, in every instance) wrote commits when it returns, atomically.
   */
  async runContract(input: Uint8Array, options: ExecutionOptions = {}) {
    return this.#serial.run(() =>
      toOutcome(async () => {
        const record = this.#requireRecord();
        const run = (frame: PortFrame) => this.#executor(record, options, frame).run(input);
        const { result, storageBytesWritten, transaction } = await this.#services.transactions.run(
          run,
          options.fault,
        );
        await this.#services.pubsub.afterCommit();
        const answer = { ...result, storageBytesWritten, ...(transaction ? { transaction } : {}) };
        if (!isComponentCode(record.namespaces)) return answer;
        return { ...answer, files: filesAt(this.#files()) };
      }),
    );
  }

  // Transactions across instances: what other instances' DOs ask of this one.
  async txnEnter(context: TxnContext, input: Uint8Array, blocks?: PassedBlock[]): Promise<CalleeAnswer> {
    const record = this.#open()?.instance.get();
    // Nothing is created here: an object that is no instance answers and stays empty.
    if (!record) return refusal(context, HostStatus.NOT_FOUND);
    // The callee may use what its caller has left of the tree's budget.
    const options = context.fuel === null ? {} : { fuelLimit: context.fuel };
    const run = (frame: PortFrame) => this.#executor(record, options, frame).run(input);
    return this.#services.transactions.enter(context, run, blocks);
  }

  async txnSettle(txid: string, decision: Decision): Promise<void> {
    if (!this.#open()?.instance.get()) return;
    this.#services.transactions.settle(txid, decision);
    if (decision.outcome === "committed") this.ctx.waitUntil(this.#services.pubsub.afterCommit());
  }

  // Pub-sub: the routes' view, and what other instances' feeds ask of this inbox.
  async pubsub() {
    return toOutcome(() => (this.#requireRecord(), this.#services.pubsub.api()));
  }

  async shmDeliver(publisher: string, delivery: Delivery): Promise<DeliveryAck> {
    this.#requireRecord();
    return this.#services.pubsub.store().accept(publisher, delivery);
  }

  async shmSubscribe(subscriber: string, subscribe: boolean): Promise<SubscribeAnswer> {
    if (!this.#open()?.instance.get()) return { ok: false, code: "CONTRACT_NOT_FOUND" };
    return this.#services.pubsub.subscribe(subscriber, subscribe);
  }

  async shmInboxDepth(publisher: string): Promise<number | null> {
    return this.#open()?.instance.get() ? this.#services.pubsub.store().inbox.depth(publisher) : null;
  }

  async txnOutcome(txid: string): Promise<TxnReport | null> {
    return this.#open()?.instance.get() ? this.#services.transactions.outcome(txid) : null;
  }

  async transaction(txid: string) {
    return toOutcome(
      () => (this.#open()?.instance.get() ? this.#services.transactions.outcome(txid) : null) ?? noTxn(txid),
    );
  }

  async summarize(options: ExecutionOptions = {}) {
    return this.#onHead(options, (executor, head) => executor.summarize(head));
  }

  async delta(summary: Uint8Array, options: ExecutionOptions = {}) {
    return this.#onHead(options, (executor, head) => executor.delta(head, summary));
  }

  async validateCurrent(resolve: boolean, options: ExecutionOptions = {}) {
    return this.#onHead(options, (executor, head) => executor.validate(head, resolve));
  }

  /** A read-only call on the current state; the answer says which version it ran on. */
  #onHead<T extends object>(
    options: ExecutionOptions,
    call: (executor: ContractExecutor, head: StateVersion) => Promise<T>,
  ): Promise<Outcome<T & { info: VersionInfo }>> {
    return toOutcome(async () => {
      const head = this.#requireHead();
      const result = await call(this.#executor(this.#requireRecord(), options), head);
      return { ...result, info: versionInfo(head) };
    });
  }

  // The HTTP routes' view of namespace state: linear storage and leases.
  async storageStats() {
    return toOutcome(() => this.#namespaceStore(edgeStorage).stats());
  }

  async readStorage(offset: number, length: number) {
    return toOutcome(() => this.#namespaceStore(edgeStorage).stream(offset, length));
  }

  async leases() {
    return toOutcome(() => {
      const store = this.#namespaceStore(fbmu);
      return new LeaseApi(store, () => leasesChanged(store, this.#instance.context));
    });
  }

  async files(path: string, want: { entries: boolean; proof: boolean }) {
    return toOutcome(() => lookupFiles(this.#files(), path, want));
  }

  async readFile(path: string, request: Rpc.FileReadRequest) {
    return toOutcome(() => readFile(this.#files(), path, request));
  }

  #files(): FileStore {
    if (!isComponentCode(this.#requireRecord().namespaces)) {
      throw new EdgeError(
        "BAD_REQUEST",
        "this instance runs a core contract; only component contracts have files",
      );
    }
    return this.#namespaceStore(wasiFilesystem).files;
  }

  #namespaceStore<Store>(namespace: HostNamespace<unknown, unknown, Store>): Store {
    this.#requireRecord();
    return this.#instance.hosts.store(namespace);
  }

  #executor(
    record: InstanceRecord,
    options: ExecutionOptions,
    frame: PortFrame | null = null,
  ): ContractExecutor {
    const { state, hosts } = this.#instance;
    const { LOADER: loader, CODE, CONTRACTS: instances } = this.env;
    const code = new CodeStore(CODE, newHasher);
    const ports = { loader, code, instances, settings: this.#settings, metered: this.metered, state, hosts };
    return executorFor(record, options, ports, frame);
  }

  #requireRecord(): InstanceRecord {
    return this.#open()?.instance.get() ?? throwNotFound();
  }

  #requireHead(): StateVersion {
    this.#requireRecord();
    const head = this.#instance.state.head();
    if (!head) throw new EdgeError("STATE_NOT_FOUND", "this contract has no state yet");
    return head;
  }
}

function noTxn(txid: string): never {
  throw new EdgeError("TRANSACTION_NOT_FOUND", "this coordinator has no record of that transaction", {
    details: { txid },
  });
}

function throwNotFound(): never {
  throw new EdgeError("CONTRACT_NOT_FOUND", "no contract instance with this id");
}
