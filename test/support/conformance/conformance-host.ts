// What a namespace conformance suite needs of a host: fresh instances of the
// contracts the build compiled (build/contracts/<name>.wasm), their `run`
// entry, and read-only views of what an instance keeps (linear storage,
// leases). Each host (node, workerd with JSPI, workerd prefetching pages)
// implements it over its own real stack; the suites only say what the README
// promises.

/** How a `run` call ended, as the HTTP API reports it. */
export type RunOutcome =
  | { kind: "ok"; body: Uint8Array }
  /** `run` answered RUN_ERROR (422 CONTRACT_REJECTED): the guest's message. */
  | { kind: "rejected"; message: string }
  /** The call failed: the API's error code (CONTRACT_TRAP, CONTRACT_OUT_OF_MEMORY, ...). */
  | { kind: "failed"; code: string };

export interface StorageStats {
  size: number;
  framesStored: number;
  bytesStored: number;
}

export interface LeaseView {
  id: Uint8Array;
  status: "active" | "expired" | "revoked";
  arenaSize: number;
  /** Unix seconds. */
  createdAt: number;
  expiresAt: number;
}

/** The limits an instance runs with (the host's configuration; README "Limits"). */
export interface HostLimits {
  storageLimitBytes: number;
  leaseQuotaBytes: number;
  leaseMaxBytes: number;
  leaseGraceSecs: number;
  /** Size of the default fbmu arena (FABRIC_ARENA_BYTES). */
  fabricArenaBytes: number;
}

export interface ConformanceInstance {
  run(input: Uint8Array): Promise<RunOutcome>;
  /** Committed linear storage [offset, offset + length), holes as zeros. */
  storageBytes(offset: number, length: number): Promise<Uint8Array>;
  storageStats(): Promise<StorageStats>;
  /** Every lease the instance knows, tombstones included. */
  leases(): Promise<LeaseView[]>;
  /** Bytes of an Active lease. */
  leaseBytes(id: Uint8Array, offset: number, length: number): Promise<Uint8Array>;
  /** Bytes of the default fbmu arena. */
  arenaBytes(offset: number, length: number): Promise<Uint8Array>;
  /** Runs the instance's alarm now if one is armed (its work is idempotent; with none armed there is none to do). */
  alarm(): Promise<void>;
  /** Lets `secs` pass on the instance's clock: a controlled clock jumps, a real one is waited for. */
  elapse(secs: number): Promise<void>;
}

export interface ConformanceHost {
  name: string;
  /**
   * Whether a guest's imports can wait for the instance: JSPI, or ports that
   * answer synchronously. Without (PAGE_MODE=prefetch) storage frames cannot
   * load and every fbmu import answers DISCONNECTED.
   */
  reachesInstance: boolean;
  /** The clock jumps when told (node); otherwise time is real and cases wait only seconds. */
  clockControl: boolean;
  /** The alarm runs only when a case runs it (node); workerd's also fires on its own once due. */
  alarmControl: boolean;
  limits: HostLimits;
  /** A fresh instance of build/contracts/<contract>.wasm, with empty storage and no leases. */
  open(contract: string): Promise<ConformanceInstance>;
}
