// What crosses the RPC boundary between a ContractObject and its sandbox
// isolate. Types only (plus constants), so both sides share one definition.
import type {
  BincodeResult,
  ContractErrorValue,
  RelatedMode,
  ValidateResult,
} from "../abi/freenet/bincode.js";
import type { FreenetOp } from "../abi/freenet/freenet-runner.js";

/** `auto`: JSPI when the isolate has it, else prefetch; `prefetch` forces shipping all pages first. */
export type PageMode = "auto" | "prefetch";

export interface ExecutionSettings {
  memoryLimitBytes: number;
  readAheadBytes: number;
  pageMode: PageMode;
}

export interface ContractRequest {
  op: FreenetOp;
  parameters: Uint8Array;
  stateLength: number;
  third?: Uint8Array;
  settings: ExecutionSettings;
}

export interface ExecutionStats {
  /** How state pages reached the guest. */
  pages: "jspi" | "prefetch";
  baselineBytes: number;
  guestMemoryBytes: number;
  /** Calls this sandbox isolate has served, this one included (isolates are reused per code hash). */
  isolateCalls: number;
}

export type SandboxReply =
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
    };

export type { ContractErrorValue };
