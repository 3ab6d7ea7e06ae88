import type { ContractObject } from "../durable-objects/contract-object.js";

export interface Env {
  /** Content-addressed contract code (R2). */
  CODE: R2Bucket;
  /** One ContractObject per contract instance, addressed by idFromName(instance id). */
  CONTRACTS: DurableObjectNamespace<ContractObject>;
  /** When set (a secret), mutating routes require `Authorization: Bearer <API_TOKEN>`. */
  API_TOKEN?: string;
  /** Starts sandbox isolates from contract wasm + the host runtime. */
  LOADER: WorkerLoader;
  /** Largest accepted state in bytes (decimal string); default 256 MiB. */
  MAX_STATE_BYTES?: string;
  GUEST_MEMORY_BYTES?: string;
  READ_AHEAD_BYTES?: string;
  CONTRACT_CPU_MS?: string;
  PAGE_MODE?: string;
  STORAGE_LIMIT_BYTES?: string;
  STORAGE_FRAME_BUDGET_BYTES?: string;
  LEASE_QUOTA_BYTES?: string;
  LEASE_MAX_BYTES?: string;
  FABRIC_ARENA_BYTES?: string;
  LEASE_GRACE_SECS?: string;
}
