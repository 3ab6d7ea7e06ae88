// What crosses the RPC boundary between a ContractObject and its sandbox
// isolate: one request, one ports object, one reply. Types only, so both
// sides share one definition.
import type { BincodeResult, ContractErrorValue, RelatedMode, ValidateResult } from "./freenet-bincode.js";

export type FreenetOp = "validate_state" | "update_state" | "summarize_state" | "get_state_delta";
/** A contract operation: a Freenet export, or the generic `run(input) -> record` entry. */
export type ContractOp = FreenetOp | "run";

/** Reads a stored state by window; the DO's StateReaderTarget implements it. */
export interface StateReader {
  read(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
}

/** Ports of the namespaces the module imports, by namespace name (src/namespaces/registry.ts). */
export type NamespacePorts = Record<string, unknown>;

/** What each namespace's part of a call changed, by namespace name; committed with the outcome or dropped. */
export type NamespaceChanges = Record<string, unknown>;

/** Everything the DO hands the sandbox for one call besides the request. */
export interface CallPorts {
  /** The state the call reads (refilled by window, or all of it first when prefetching); null when it rides inline. */
  state: StateReader | null;
  namespaces: NamespacePorts;
}

/** A result's bytes: inline up to INLINE_CALL_BYTES, else streamed 64 KiB at a time; null when there are none. */
export type ReplyBody = Uint8Array | ReadableStream<Uint8Array> | null;

/** `auto`: JSPI when the isolate has it, else prefetch; `prefetch` forces shipping all pages first. */
export type PageMode = "auto" | "prefetch";

/** The fuel a call may burn (src/metering); null only for the benchmark's unmetered baseline. */
export interface FuelSettings {
  limit: number;
  /** Fuel between pauses (JSPI): bounds how long a guest holds the thread at a stretch. */
  slice: number;
  depthLimit: number;
}

export interface ExecutionSettings {
  memoryLimitBytes: number;
  readAheadBytes: number;
  pageMode: PageMode;
  fuel: FuelSettings | null;
  /** Wall-clock backstop for one sandbox call, checked at every pause. */
  deadlineMs: number;
  /** A JSPI guest waits for other requests at a slice boundary once this much time has passed. */
  pauseEveryMs: number;
}

export interface ContractRequest {
  op: ContractOp;
  parameters: Uint8Array;
  stateLength: number;
  /** The whole state when it is at most INLINE_CALL_BYTES: the sandbox reads no pages back. */
  state?: Uint8Array;
  third?: Uint8Array;
  /** The request body of `run`. */
  input?: Uint8Array;
  /**
   * update_state: also judge a new state with validate_state in this call (a fresh instance), as the
   * DO would next; the sandbox does it only where the outcome is the same (validate-new-state.ts).
   */
  validateResult?: boolean;
  settings: ExecutionSettings;
}

export interface GuestOutputBytes {
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Bytes written past the bound and dropped. */
  droppedBytes: number;
}

export interface ExecutionStats {
  /** How state pages reached the guest (a component always suspends: JSPI). */
  pages: "jspi" | "prefetch";
  baselineBytes: number;
  guestMemoryBytes: number;
  /** Calls this sandbox isolate has served, this one included (isolates are reused per code hash). */
  isolateCalls: number;
  /** Fuel used (for the whole request once the executor has summed its calls); null when unmetered. */
  fuel: number | null;
}

export type SandboxReply = (
  | { kind: "validate"; result: BincodeResult<ValidateResult>; stats: ExecutionStats }
  | {
      kind: "update";
      result: BincodeResult<{
        newStateSize: number | null;
        related: Array<{ id: Uint8Array; mode: RelatedMode }>;
      }>;
      body: ReplyBody;
      stats: ExecutionStats;
      /** validate_state's answer on the new state, when `validateResult` asked and the sandbox judged it. */
      validated?: BincodeResult<ValidateResult>;
    }
  | {
      kind: "bytes";
      result: BincodeResult<{ size: number }>;
      body: ReplyBody;
      stats: ExecutionStats;
    }
  | {
      kind: "run";
      result: { ok: true; value: { size: number } } | { ok: false; message: string };
      body: ReplyBody;
      stats: ExecutionStats;
      /** A component's stdout and stderr (bounded). */
      output?: GuestOutputBytes;
    }
) & { changes: NamespaceChanges };

export type { ContractErrorValue };
