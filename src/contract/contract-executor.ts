// Contract operations on one instance: runs the Freenet exports through a
// sandbox port, feeds state pages from a pinned blob, resolves RequestRelated
// by fetching related states (bounded rounds), and turns a contract's refusal
// into CONTRACT_REJECTED. Ports keep it free of Workers APIs.
import {
  encodeRelatedContracts,
  encodeUpdateData,
  type ContractErrorValue,
  type UpdateData,
  type ValidateResult,
} from "../protocol/freenet-bincode.js";
import { EdgeError } from "../errors.js";
import { encodeId } from "../identity/ids.js";
import { INLINE_CALL_BYTES, MAX_RELATED_ROUNDS } from "../limits.js";
import { checkRelatedCount } from "./related-limits.js";
import type {
  CallPorts,
  ContractOp,
  ContractRequest,
  ExecutionSettings,
  ExecutionStats,
  FreenetOp,
  GuestOutputBytes,
  NamespaceChanges,
  NamespacePorts,
  ReplyBody,
  SandboxReply,
  StateReader,
} from "../protocol/sandbox-call.js";

export interface SandboxPort {
  run(request: ContractRequest, ports: CallPorts): Promise<SandboxReply>;
}

/** A stored state, or one the caller holds in memory (small: it rides inline, nothing is read back). */
export type StateBlob = { size: number } & ({ blobId: number } | { bytes: Uint8Array });

export interface ExecutorPorts {
  sandbox: SandboxPort;
  /** Pins the blob and exposes it to the sandbox until `release`. */
  openState(blob: { blobId: number; size: number }): { reader: StateReader; release(): void };
  /** States of related instances (null: no such instance or no state yet). */
  relatedStates(ids: Uint8Array[]): Promise<Array<[Uint8Array, Uint8Array | null]>>;
  settings: ExecutionSettings;
  parameters: Uint8Array;
  /** The ports of the namespaces the module imports, fresh for each sandbox call. */
  namespacePorts(): NamespacePorts;
}

export interface ByteResult {
  size: number;
  /** Inline bytes for a small result (the sandbox sends those whole), else a stream. */
  body: ReplyBody;
  stats: ExecutionStats;
  /** What the call changed in namespace state (linear storage); commit with its outcome or drop. */
  changes: NamespaceChanges;
  /** A component's stdout and stderr. */
  output?: GuestOutputBytes;
}

/** A refused component's output, for the error's details (lossy UTF-8). */
function outputText(output: GuestOutputBytes): { stdout: string; stderr: string } {
  const text = new TextDecoder();
  return { stdout: text.decode(output.stdout), stderr: text.decode(output.stderr) };
}

export type ValidateOutcome =
  | { result: "valid" | "invalid"; stats: ExecutionStats }
  | { result: "requestRelated"; related: string[]; stats: ExecutionStats };

export class ContractExecutor {
  readonly #ports: ExecutorPorts;
  /** Fuel the request's sandbox calls used so far: they share one budget. */
  #fuelUsed = 0;

  constructor(ports: ExecutorPorts) {
    this.#ports = ports;
  }

  /** Fuel used by every call this executor made (null when unmetered). */
  get fuelUsed(): number | null {
    return this.#ports.settings.fuel ? this.#fuelUsed : null;
  }

  /** validate_state; with `resolve`, RequestRelated is answered with the related states (bounded). */
  async validate(blob: StateBlob, resolve = true): Promise<ValidateOutcome> {
    const related: Array<[Uint8Array, Uint8Array | null]> = [];
    for (let round = 0; round <= MAX_RELATED_ROUNDS; round++) {
      const reply = await this.#run("validate_state", blob, encodeRelatedContracts(related));
      if (reply.kind !== "validate") throw unexpected(reply.kind);
      const result: ValidateResult = accept(reply.result, "validate_state");
      if (result.kind !== "requestRelated") return { result: result.kind, stats: reply.stats };
      const missing = newIds(
        result.ids,
        related.map(([id]) => id),
      );
      if (!resolve) {
        return { result: "requestRelated", related: distinct(result.ids), stats: reply.stats };
      }
      checkRelatedCount(missing.length, related.length);
      if (missing.length === 0 || round === MAX_RELATED_ROUNDS) throw unresolved(result.ids);
      related.push(...(await this.#ports.relatedStates(missing)));
    }
    throw unresolved([]);
  }

  /** Throws CONTRACT_REJECTED unless the contract finds the state valid (RequestRelated resolved). */
  async requireValid(blob: StateBlob): Promise<void> {
    const outcome = await this.validate(blob);
    if (outcome.result !== "valid") throw invalidState();
  }

  /**
   * update_state; `size: null` when the contract leaves the state as it is. With `alsoValidate` the
   * sandbox may judge a small new state in the same call: `validated` says it answered Valid (an
   * Invalid throws as `requireValid` does), so the caller need not ask again.
   */
  async update(
    head: StateBlob,
    updates: UpdateData[],
    alsoValidate = false,
  ): Promise<Omit<ByteResult, "size"> & { size: number | null; validated: boolean }> {
    const relatedUpdates: UpdateData[] = [];
    for (let round = 0; round <= MAX_RELATED_ROUNDS; round++) {
      const reply = await this.#run(
        "update_state",
        head,
        encodeUpdateData([...updates, ...relatedUpdates]),
        undefined,
        alsoValidate,
      );
      if (reply.kind !== "update") throw unexpected(reply.kind);
      const { newStateSize, related } = accept(reply.result, "update_state");
      if (newStateSize !== null || related.length === 0) {
        const verdict = reply.validated && accept(reply.validated, "validate_state");
        if (verdict && verdict.kind === "invalid") throw invalidState();
        return {
          size: newStateSize,
          body: reply.body,
          stats: reply.stats,
          changes: reply.changes,
          validated: verdict !== undefined && verdict.kind === "valid",
        };
      }
      const have = relatedUpdates.flatMap((update) => ("relatedTo" in update ? [update.relatedTo] : []));
      const missing = newIds(
        related.map((entry) => entry.id),
        have,
      );
      checkRelatedCount(missing.length, have.length);
      if (missing.length === 0 || round === MAX_RELATED_ROUNDS)
        throw unresolved(related.map((entry) => entry.id));
      for (const [id, state] of await this.#ports.relatedStates(missing)) {
        if (state === null) throw unresolved([id]);
        relatedUpdates.push({ kind: "RelatedState", relatedTo: id, state });
      }
    }
    throw unresolved([]);
  }

  /** The generic entry: `run(input)`; a RUN_ERROR is CONTRACT_REJECTED. */
  async run(input: Uint8Array): Promise<ByteResult> {
    const reply = await this.#run("run", { bytes: new Uint8Array(0), size: 0 }, undefined, input);
    if (reply.kind !== "run") throw unexpected(reply.kind);
    if (!reply.result.ok) {
      const printed = reply.output ? outputText(reply.output) : {};
      throw new EdgeError("CONTRACT_REJECTED", `the contract refused (run: ${reply.result.message})`, {
        details: { variant: "RunError", message: reply.result.message, ...printed },
      });
    }
    return {
      size: reply.result.value.size,
      body: reply.body,
      stats: reply.stats,
      changes: reply.changes,
      ...(reply.output ? { output: reply.output } : {}),
    };
  }

  summarize(head: StateBlob): Promise<ByteResult> {
    return this.#bytes("summarize_state", head);
  }

  delta(head: StateBlob, summary: Uint8Array): Promise<ByteResult> {
    return this.#bytes("get_state_delta", head, summary);
  }

  async #bytes(op: FreenetOp, head: StateBlob, third?: Uint8Array): Promise<ByteResult> {
    const reply = await this.#run(op, head, third);
    if (reply.kind !== "bytes") throw unexpected(reply.kind);
    const { size } = accept(reply.result, op);
    return { size, body: reply.body, stats: reply.stats, changes: reply.changes };
  }

  async #run(
    op: ContractOp,
    blob: StateBlob,
    third?: Uint8Array,
    input?: Uint8Array,
    validateResult = false,
  ): Promise<SandboxReply> {
    const { settings } = this.#ports;
    const budget = settings.fuel;
    if (budget && this.#fuelUsed >= budget.limit) throw this.#outOfFuel(budget.limit);
    const callSettings = budget
      ? { ...settings, fuel: { ...budget, limit: budget.limit - this.#fuelUsed } }
      : settings;
    const state = await this.#open(blob);
    try {
      const reply = await this.#ports.sandbox.run(
        {
          op,
          parameters: this.#ports.parameters,
          stateLength: blob.size,
          ...(state.inline === undefined ? {} : { state: state.inline }),
          ...(third === undefined ? {} : { third }),
          ...(input === undefined ? {} : { input }),
          ...(validateResult ? { validateResult } : {}),
          settings: callSettings,
        },
        { state: state.reader, namespaces: this.#ports.namespacePorts() },
      );
      this.#fuelUsed += reply.stats.fuel ?? 0;
      return { ...reply, stats: { ...reply.stats, fuel: this.fuelUsed } };
    } catch (error) {
      throw budget ? this.#withRequestFuel(error, budget.limit) : error;
    } finally {
      state.release();
    }
  }

  /** A held or small state rides inline (the sandbox reads nothing back); a larger one is paged from its pin. */
  async #open(
    blob: StateBlob,
  ): Promise<{ inline?: Uint8Array; reader: StateReader | null; release(): void }> {
    if ("bytes" in blob) return { inline: blob.bytes, reader: null, release: () => {} };
    const opened = this.#ports.openState(blob);
    if (blob.size > INLINE_CALL_BYTES) return opened;
    try {
      return { inline: await opened.reader.read(0, blob.size), reader: null, release: () => {} };
    } finally {
      opened.release();
    }
  }

  /** A failed call's error, with the fuel of the whole request (all its calls) in place of its own. */
  #withRequestFuel(error: unknown, limit: number): unknown {
    if (!(error instanceof EdgeError) || typeof error.details?.fuel !== "number") return error;
    this.#fuelUsed += error.details.fuel;
    if (error.code === "CONTRACT_OUT_OF_FUEL") return this.#outOfFuel(limit);
    return new EdgeError(error.code, error.message, {
      cause: error.cause,
      details: { ...error.details, fuel: this.#fuelUsed },
    });
  }

  #outOfFuel(limit: number): EdgeError {
    return new EdgeError(
      "CONTRACT_OUT_OF_FUEL",
      `the contract used the request's whole fuel budget (${limit}) and was stopped`,
      { details: { limit, fuel: limit } },
    );
  }
}

function accept<T>(
  result: { ok: true; value: T } | { ok: false; error: ContractErrorValue },
  op: FreenetOp,
): T {
  if (result.ok) return result.value;
  throw rejected(result.error, op);
}

export function rejected(error: ContractErrorValue, op: FreenetOp): EdgeError {
  const detail = "message" in error ? error.message : "reason" in error ? error.reason : undefined;
  return new EdgeError(
    "CONTRACT_REJECTED",
    `the contract refused (${op}: ${error.variant}${detail === undefined ? "" : `: ${detail}`})`,
    { details: { ...error, call: op } },
  );
}

function invalidState(): EdgeError {
  return new EdgeError(
    "CONTRACT_REJECTED",
    "the contract found the state invalid (validate_state: Invalid)",
    {
      details: { variant: "Invalid", call: "validate_state" },
    },
  );
}

function unresolved(ids: Uint8Array[]): EdgeError {
  return new EdgeError(
    "RELATED_UNRESOLVED",
    "the contract needs related contracts that could not be provided",
    {
      details: { related: distinct(ids) },
    },
  );
}

/** Base58 ids without repeats (a contract may name one id many times). */
function distinct(ids: Uint8Array[]): string[] {
  return [...new Set(ids.map(encodeId))];
}

function unexpected(kind: string): EdgeError {
  return new EdgeError("INTERNAL", `sandbox answered a ${kind} reply to the wrong operation`);
}

function newIds(wanted: Uint8Array[], have: Uint8Array[]): Uint8Array[] {
  const known = new Set(have.map(encodeId));
  const fresh = new Map<string, Uint8Array>();
  for (const id of wanted) if (!known.has(encodeId(id))) fresh.set(encodeId(id), id);
  return [...fresh.values()];
}
