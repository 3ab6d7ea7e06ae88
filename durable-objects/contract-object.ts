// One Durable Object per contract instance. It only wires: SQL port -> tables
// -> domain modules, and maps their results to RPC outcomes.
import { DurableObject } from "cloudflare:workers";
import { systemClock } from "../src/clock.js";
import { readSettings } from "../src/config.js";
import { validateStagedState } from "../src/contract/validate-state.js";
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
import { InstanceTable, type InstanceRecord } from "../src/instance/instance-record.js";
import { durableObjectSql } from "../src/sql/durable-object-sql.js";
import { StateStore } from "../src/state/state-store.js";
import { StateTables } from "../src/state/state-tables.js";
import { etagOf, versionInfo, type VersionInfo } from "../src/state/version-info.js";

export interface PutStateRequest {
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

export class ContractObject extends DurableObject<Env> {
  readonly #instance: InstanceTable;
  readonly #state: StateStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = durableObjectSql(ctx.storage);
    this.#instance = new InstanceTable(sql);
    this.#state = new StateStore(new StateTables(sql), systemClock, newHasher, {
      ...readSettings(env),
      scheduleCollection: () => void ctx.storage.setAlarm(Date.now()),
    });
    this.#state.recover();
  }

  override async alarm(): Promise<void> {
    this.#state.collectRetired();
  }

  async create(record: InstanceRecord): Promise<Outcome<{ record: InstanceRecord; created: boolean }>> {
    return toOutcome(() => this.#instance.create(record));
  }

  async describe(): Promise<Outcome<InstanceRecord>> {
    return toOutcome(() => this.#requireInstance());
  }

  async putState(
    body: ReadableStream<Uint8Array> | null,
    request: PutStateRequest,
  ): Promise<Outcome<VersionInfo>> {
    return toOutcome(async () => {
      const instance = this.#instance.get();
      if (!instance) {
        await body?.cancel().catch(() => {});
        throw contractNotFound();
      }
      const version = await this.#state.put(body, {
        expectedLength: request.expectedLength,
        precondition: (head) =>
          checkWriteConditions(request.conditions, head && etagOf(versionInfo(head).hash)),
        validate: (staged) => validateStagedState(instance, staged),
      });
      return versionInfo(version);
    });
  }

  async readState(request: ReadStateRequest): Promise<Outcome<StateRead>> {
    return toOutcome(() => {
      this.#requireInstance();
      const head = this.#state.head();
      if (!head) throw new EdgeError("STATE_NOT_FOUND", "this contract has no state yet");
      const info = versionInfo(head);
      if (isNotModified(request.ifNoneMatch, etagOf(info.hash))) {
        return { info, notModified: true, body: null };
      }
      const range = request.range ? resolveRange(request.range, head.size) : undefined;
      const body = this.#state.read(head, range ?? { start: 0, end: head.size });
      return range ? { info, notModified: false, range, body } : { info, notModified: false, body };
    });
  }

  #requireInstance(): InstanceRecord {
    const instance = this.#instance.get();
    if (!instance) throw contractNotFound();
    return instance;
  }
}

function contractNotFound(): EdgeError {
  return new EdgeError("CONTRACT_NOT_FOUND", "no contract instance with this id");
}
