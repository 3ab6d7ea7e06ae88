// What crosses the RPC boundary between a ContractObject and its sandbox
// isolate. Types only (plus constants), so both sides share one definition.
import type { BincodeResult, ContractErrorValue, RelatedMode, ValidateResult } from "./freenet-bincode.js";
import type { ContractOp } from "../sandbox/contract-runner.js";
import type { FrameWrite } from "../guest-abi/edge-storage/frame-table.js";

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
  third?: Uint8Array;
  /** The request body of `run`. */
  input?: Uint8Array;
  settings: ExecutionSettings;
  /** Linear storage as the call starts; frames come from the StorageFrames target. */
  storage?: { size: number; limitBytes: number; frameBudgetBytes: number };
}

/** What a call changed in linear storage; committed with the call's outcome or not at all. */
export type StorageChanges = { writes: FrameWrite[]; size: number } | null;

export interface ExecutionStats {
  /** How state pages reached the guest. */
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
      body: ReadableStream<Uint8Array> | null;
      stats: ExecutionStats;
    }
  | {
      kind: "bytes";
      result: BincodeResult<{ size: number }>;
      body: ReadableStream<Uint8Array> | null;
      stats: ExecutionStats;
    }
  | {
      kind: "run";
      result: { ok: true; value: { size: number } } | { ok: false; message: string };
      body: ReadableStream<Uint8Array> | null;
      stats: ExecutionStats;
    }
) & { storage: StorageChanges };

export type { ContractErrorValue };
