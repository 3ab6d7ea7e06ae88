// One Durable Object per contract instance. It only wires: SQL port -> tables
// -> domain modules, sandbox and related-state ports -> the executor, and maps
// results to RPC outcomes.
import { DurableObject } from "cloudflare:workers";
import type { UpdateData } from "../src/protocol/freenet-bincode.js";
import { systemClock } from "../src/clock.js";
import { CodeStore } from "../src/code/code-store.js";
import { capMemoryPages } from "../src/code/wasm-sections.js";
import { readSettings, type Settings } from "../src/config.js";
import {
  ContractExecutor,
  type ByteResult,
  type ValidateOutcome,
} from "../src/contract/contract-executor.js";
import { fuelLimitFor, type ExecutionOptions, type FuelReport } from "../src/contract/execution-options.js";
import { fetchRelatedStates, type StateSource } from "../src/contract/related-states.js";
import { runUpdate } from "../src/contract/run-update.js";
import type { Env } from "../src/env.js";
import { EdgeError, toOutcome, type Outcome } from "../src/errors.js";
import { newHasher } from "../src/hashing/blake3-module.js";
import {
  checkWriteConditions,
  isNotModified,
  type EtagCondition,
  type WriteConditions,
} from "../src/http/conditional.js";
import { resolveRange, type ByteRange, type RangeRequest } from "../src/http/range.js";
import type { InstanceRecord } from "../src/store/instance/instance-record.js";
import {
  hasInstanceSchema,
  openInstanceStores,
  type InstanceStores,
} from "../src/store/instance/instance-stores.js";
import { WASM_PAGE_BYTES } from "../src/limits.js";
import { PageReaderTarget } from "../src/contract/ports/state-reader-target.js";
import type { StorageChanges } from "../src/protocol/sandbox-call.js";
import { StorageFramesTarget } from "../src/contract/ports/storage-frames-target.js";
import type { LinearStorageTables, StorageStats } from "../src/store/linear-storage/linear-storage-tables.js";
import { LeaseTarget } from "../src/contract/ports/lease-target.js";
import { LeaseApi } from "../src/store/leases/lease-api.js";
import type { LeaseStore } from "../src/store/leases/lease-store.js";
import { sandboxFor } from "../src/contract/sandbox-loader.js";
import { durableObjectSql } from "../src/store/sql/durable-object-sql.js";
import type { StateStore } from "../src/store/state/state-store.js";
import type { StateVersion } from "../src/store/state/state-tables.js";
import type { SqlPort } from "../src/store/sql/sql-port.js";
import { etagOf, versionInfo, type VersionInfo } from "../src/store/state/version-info.js";

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

export class ContractObject extends DurableObject<Env> {
  readonly #sql: SqlPort;
  readonly #settings: Settings;
  #opened: InstanceStores | undefined;
  #updates: Promise<unknown> = Promise.resolve();
  /** Contracts run metered; only the benchmark's baseline subclass turns it off. */
  protected readonly metered: boolean = true;

  // Nothing here touches storage: an object that is not an instance must stay empty.
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = durableObjectSql(ctx.storage);
    this.#settings = readSettings(env);
  }

  /** The instance's stores, or null when this object is no instance (and stays untouched). */
  #open(create = false): InstanceStores | null {
    if (this.#opened) return this.#opened;
    if (!create && !hasInstanceSchema(this.#sql)) return null;
    this.#opened = openInstanceStores(this.#sql, this.#settings, {
      clock: systemClock,
      newHasher,
      scheduleCollection: () => void this.#wakeAt(Date.now()),
    });
    return this.#opened;
  }

  get #stores(): InstanceStores {
    return this.#open() ?? throwNotFound();
  }

  get #state(): StateStore {
    return this.#stores.state;
  }

  get #storage(): LinearStorageTables {
    return this.#stores.storage;
  }

  get #leases(): LeaseStore {
    return this.#stores.leases;
  }

  /** Idempotent (alarms are at-least-once): collect replaced state, reclaim leases, re-arm. */
  override async alarm(): Promise<void> {
    const stores = this.#open();
    if (!stores) return;
    stores.state.collectRetired();
    const { nextWake } = stores.leases.reclaim();
    if (nextWake !== null) await this.ctx.storage.setAlarm(Math.max(nextWake * 1000, Date.now()));
  }

  /** Moves the alarm earlier if `ms` comes before it; never later. */
  async #wakeAt(ms: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > ms) await this.ctx.storage.setAlarm(ms);
  }

  #leasesChanged(): void {
    const next = this.#leases.nextWake();
    if (next !== null) void this.#wakeAt(Math.max(next * 1000, Date.now()));
  }

  /** The instance's leases, for the lease routes. */
  async leases(): Promise<Outcome<LeaseApi>> {
    return toOutcome(() => {
      this.#requireInstance();
      return new LeaseApi(this.#leases, () => this.#leasesChanged());
    });
  }

  async create(record: InstanceRecord): Promise<Outcome<{ record: InstanceRecord; created: boolean }>> {
    return toOutcome(() => (this.#open(true) ?? throwNotFound()).instance.create(record));
  }

  async describe(): Promise<Outcome<InstanceRecord>> {
    return toOutcome(() => this.#requireInstance());
  }

  async putState(
    body: ReadableStream<Uint8Array> | null,
    request: PutStateRequest,
  ): Promise<Outcome<VersionInfo & { changed: boolean } & FuelReport>> {
    return toOutcome(async () => {
      const instance = this.#open()?.instance.get();
      if (!instance) {
        await body?.cancel().catch(() => {});
        throw contractNotFound();
      }
      const executor = this.#executor(instance, request);
      const before = this.#state.head()?.version;
      const version = await this.#state.put(body, {
        expectedLength: request.expectedLength,
        precondition: (head) => checkWriteConditions(request.conditions, etagOfHead(head)),
        validate: (staged) => executor.requireValid(staged),
        keepIdenticalHead: true,
      });
      return { ...versionInfo(version), changed: version.version !== before, fuel: executor.fuelUsed };
    });
  }

  async readState(request: ReadStateRequest): Promise<Outcome<StateRead>> {
    return toOutcome(() => {
      const head = this.#requireHead();
      const info = versionInfo(head);
      if (isNotModified(request.ifNoneMatch, etagOf(info.hash))) {
        return { info, notModified: true, body: null };
      }
      const range = request.range ? resolveRange(request.range, head.size) : undefined;
      const body = this.#state.read(head, range ?? { start: 0, end: head.size });
      return range ? { info, notModified: false, range, body } : { info, notModified: false, body };
    });
  }

  /** update_state, serialized per instance so each update reads the state it replaces. */
  async updateState(
    request: UpdateRequest,
  ): Promise<Outcome<VersionInfo & { changed: boolean } & FuelReport>> {
    const run = this.#updates.then(() =>
      toOutcome(async () => {
        const instance = this.#requireInstance();
        const updates: UpdateData[] = [
          request.kind === "delta"
            ? { kind: "Delta", delta: request.data }
            : { kind: "State", state: request.data },
        ];
        const executor = this.#executor(instance, request);
        const info = await runUpdate(this.#state, executor, updates, request.conditions, (changes) =>
          this.#commitStorage(changes),
        );
        return { ...info, fuel: executor.fuelUsed };
      }),
    );
    this.#updates = run.catch(() => {});
    return run;
  }

  /** The generic entry; its storage writes commit when it returns, atomically. */
  async runContract(
    input: Uint8Array,
    options: ExecutionOptions = {},
  ): Promise<Outcome<ByteResult & { storageBytesWritten: number }>> {
    const run = this.#updates.then(() =>
      toOutcome(async () => {
        const result = await this.#executor(this.#requireInstance(), options).run(input);
        const storageBytesWritten = this.#state.transaction(() => this.#commitStorage(result.storage));
        return { ...result, storageBytesWritten };
      }),
    );
    this.#updates = run.catch(() => {});
    return run;
  }

  async storageStats(): Promise<Outcome<StorageStats>> {
    return toOutcome(() => {
      this.#requireInstance();
      return this.#storage.stats();
    });
  }

  async readStorage(offset: number, length: number): Promise<Outcome<ReadableStream<Uint8Array>>> {
    return toOutcome(() => {
      this.#requireInstance();
      return this.#storage.stream(offset, length);
    });
  }

  async summarize(options: ExecutionOptions = {}): Promise<Outcome<ContractBytes>> {
    return toOutcome(async () => {
      const head = this.#requireHead();
      const result = await this.#executor(this.#requireInstance(), options).summarize(head);
      return { ...result, info: versionInfo(head) };
    });
  }

  async delta(summary: Uint8Array, options: ExecutionOptions = {}): Promise<Outcome<ContractBytes>> {
    return toOutcome(async () => {
      const head = this.#requireHead();
      const result = await this.#executor(this.#requireInstance(), options).delta(head, summary);
      return { ...result, info: versionInfo(head) };
    });
  }

  async validateCurrent(
    resolve: boolean,
    options: ExecutionOptions = {},
  ): Promise<Outcome<ValidateOutcome & { info: VersionInfo }>> {
    return toOutcome(async () => {
      const head = this.#requireHead();
      const result = await this.#executor(this.#requireInstance(), options).validate(head, resolve);
      return { ...result, info: versionInfo(head) };
    });
  }

  #executor(instance: InstanceRecord, options: ExecutionOptions): ContractExecutor {
    const settings = this.#settings;
    const code = new CodeStore(this.env.CODE, newHasher);
    return new ContractExecutor({
      sandbox: sandboxFor(instance.codeHash, {
        loader: this.env.LOADER,
        newHasher,
        memoryLimitBytes: settings.guestMemoryBytes,
        cpuMs: settings.contractCpuMs,
        deadlineMs: settings.contractDeadlineMs,
        metered: this.metered,
        loadWasm: async (codeHash) =>
          capMemoryPages(
            this.metered
              ? await code.metered(codeHash)
              : new Uint8Array(await (await code.get(codeHash)).arrayBuffer()),
            settings.guestMemoryBytes / WASM_PAGE_BYTES,
          ),
      }),
      openPages: (blob) => {
        const pages = this.#state.pages(blob);
        return { reader: new PageReaderTarget(pages.read), release: pages.release };
      },
      relatedStates: (ids) => fetchRelatedStates(this.env, instance.id, () => this.#ownState(), ids),
      settings: {
        memoryLimitBytes: settings.guestMemoryBytes,
        readAheadBytes: settings.readAheadBytes,
        pageMode: settings.pageMode,
        fuel: this.metered
          ? {
              limit: fuelLimitFor(options, settings.fuelPerCall),
              slice: settings.fuelSlice,
              depthLimit: settings.callDepthLimit,
            }
          : null,
        deadlineMs: settings.contractDeadlineMs,
        pauseEveryMs: settings.pauseEveryMs,
      },
      parameters: instance.parameters,
      leases: new LeaseTarget(this.#leases, () => this.#leasesChanged()),
      storage: {
        size: () => this.#storage.size(),
        frames: new StorageFramesTarget((indices) => this.#storage.frames(indices)),
        limitBytes: settings.storageLimitBytes,
        frameBudgetBytes: settings.storageFrameBudgetBytes,
      },
    });
  }

  /** Inside the caller's transaction. */
  #commitStorage(changes: StorageChanges): number {
    return changes ? this.#storage.apply(changes.writes, changes.size) : 0;
  }

  #ownState(): StateSource {
    const head = this.#state.head();
    return head && { size: head.size, body: this.#state.read(head, { start: 0, end: head.size }) };
  }

  #requireInstance(): InstanceRecord {
    return this.#open()?.instance.get() ?? throwNotFound();
  }

  #requireHead(): StateVersion {
    this.#requireInstance();
    const head = this.#state.head();
    if (!head) throw new EdgeError("STATE_NOT_FOUND", "this contract has no state yet");
    return head;
  }
}

function etagOfHead(head: StateVersion | null): string | null {
  return head && etagOf(versionInfo(head).hash);
}

function contractNotFound(): EdgeError {
  return new EdgeError("CONTRACT_NOT_FOUND", "no contract instance with this id");
}

function throwNotFound(): never {
  throw contractNotFound();
}
