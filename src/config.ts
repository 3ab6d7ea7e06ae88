// Deployment settings read from bindings, validated once so a typo fails loudly.
import { EdgeError } from "./errors.js";
import {
  DEFAULT_CALL_DEPTH_LIMIT,
  DEFAULT_CONTRACT_CPU_MS,
  DEFAULT_CONTRACT_DEADLINE_MS,
  DEFAULT_FUEL_PER_CALL,
  DEFAULT_FUEL_SLICE,
  DEFAULT_PAUSE_EVERY_MS,
  MAX_FUEL_PER_CALL,
  DEFAULT_FABRIC_ARENA_BYTES,
  DEFAULT_LEASE_GRACE_SECS,
  DEFAULT_LEASE_MAX_SECS,
  DEFAULT_LEASE_MAX_BYTES,
  DEFAULT_LEASE_QUOTA_BYTES,
  DEFAULT_GUEST_MEMORY_BYTES,
  DEFAULT_MAX_STATE_BYTES,
  DEFAULT_READ_AHEAD_BYTES,
  DEFAULT_STORAGE_FRAME_BUDGET_BYTES,
  DEFAULT_STORAGE_LIMIT_BYTES,
  HARD_MAX_CALL_DEPTH_LIMIT,
  HARD_MAX_CONTRACT_CPU_MS,
  HARD_MAX_CONTRACT_DEADLINE_MS,
  HARD_MAX_LEASE_GRACE_SECS,
  HARD_MAX_LEASE_SECS,
  HARD_MAX_PAUSE_EVERY_MS,
  HARD_MAX_STORAGE_LIMIT_BYTES,
  HARD_MAX_GUEST_MEMORY_BYTES,
  HARD_MAX_STATE_BYTES,
  MAX_READ_AHEAD_BYTES,
  WASM_PAGE_BYTES,
} from "./limits.js";
import type { PageMode } from "./protocol/sandbox-call.js";

export interface Settings {
  maxStateBytes: number;
  guestMemoryBytes: number;
  readAheadBytes: number;
  contractCpuMs: number;
  fuelPerCall: number;
  fuelSlice: number;
  callDepthLimit: number;
  contractDeadlineMs: number;
  pauseEveryMs: number;
  pageMode: PageMode;
  storageLimitBytes: number;
  storageFrameBudgetBytes: number;
  leaseQuotaBytes: number;
  leaseMaxBytes: number;
  fabricArenaBytes: number;
  leaseGraceSecs: number;
  leaseMaxSecs: number;
  /** Honour x-fault-inject crash points (FAULT_INJECTION=1): for tests of transaction recovery only. */
  faultInjection: boolean;
}

export interface SettingsSource {
  MAX_STATE_BYTES?: string;
  GUEST_MEMORY_BYTES?: string;
  READ_AHEAD_BYTES?: string;
  CONTRACT_CPU_MS?: string;
  FUEL_PER_CALL?: string;
  FUEL_SLICE?: string;
  CALL_DEPTH_LIMIT?: string;
  CONTRACT_DEADLINE_MS?: string;
  PAUSE_EVERY_MS?: string;
  PAGE_MODE?: string;
  STORAGE_LIMIT_BYTES?: string;
  STORAGE_FRAME_BUDGET_BYTES?: string;
  LEASE_QUOTA_BYTES?: string;
  LEASE_MAX_BYTES?: string;
  FABRIC_ARENA_BYTES?: string;
  LEASE_GRACE_SECS?: string;
  LEASE_MAX_SECS?: string;
  FAULT_INJECTION?: string;
}

export function readSettings(env: SettingsSource): Settings {
  const guestMemoryBytes = positiveInt(
    "GUEST_MEMORY_BYTES",
    env.GUEST_MEMORY_BYTES,
    DEFAULT_GUEST_MEMORY_BYTES,
    HARD_MAX_GUEST_MEMORY_BYTES,
  );
  if (guestMemoryBytes % WASM_PAGE_BYTES !== 0) {
    throw new EdgeError(
      "INTERNAL",
      `GUEST_MEMORY_BYTES must be a multiple of ${WASM_PAGE_BYTES} (whole wasm pages)`,
    );
  }
  const pageMode = env.PAGE_MODE?.trim() || "auto";
  if (pageMode !== "auto" && pageMode !== "prefetch") {
    throw new EdgeError("INTERNAL", `PAGE_MODE must be "auto" or "prefetch", got "${pageMode}"`);
  }
  return {
    maxStateBytes: positiveInt(
      "MAX_STATE_BYTES",
      env.MAX_STATE_BYTES,
      DEFAULT_MAX_STATE_BYTES,
      HARD_MAX_STATE_BYTES,
    ),
    guestMemoryBytes,
    readAheadBytes: positiveInt(
      "READ_AHEAD_BYTES",
      env.READ_AHEAD_BYTES,
      DEFAULT_READ_AHEAD_BYTES,
      MAX_READ_AHEAD_BYTES,
    ),
    contractCpuMs: positiveInt(
      "CONTRACT_CPU_MS",
      env.CONTRACT_CPU_MS,
      DEFAULT_CONTRACT_CPU_MS,
      HARD_MAX_CONTRACT_CPU_MS,
    ),
    fuelPerCall: positiveInt("FUEL_PER_CALL", env.FUEL_PER_CALL, DEFAULT_FUEL_PER_CALL, MAX_FUEL_PER_CALL),
    fuelSlice: positiveInt("FUEL_SLICE", env.FUEL_SLICE, DEFAULT_FUEL_SLICE, MAX_FUEL_PER_CALL),
    callDepthLimit: positiveInt(
      "CALL_DEPTH_LIMIT",
      env.CALL_DEPTH_LIMIT,
      DEFAULT_CALL_DEPTH_LIMIT,
      HARD_MAX_CALL_DEPTH_LIMIT,
    ),
    contractDeadlineMs: positiveInt(
      "CONTRACT_DEADLINE_MS",
      env.CONTRACT_DEADLINE_MS,
      DEFAULT_CONTRACT_DEADLINE_MS,
      HARD_MAX_CONTRACT_DEADLINE_MS,
    ),
    pauseEveryMs: positiveInt(
      "PAUSE_EVERY_MS",
      env.PAUSE_EVERY_MS,
      DEFAULT_PAUSE_EVERY_MS,
      HARD_MAX_PAUSE_EVERY_MS,
    ),
    pageMode,
    storageLimitBytes: positiveInt(
      "STORAGE_LIMIT_BYTES",
      env.STORAGE_LIMIT_BYTES,
      DEFAULT_STORAGE_LIMIT_BYTES,
      HARD_MAX_STORAGE_LIMIT_BYTES,
    ),
    storageFrameBudgetBytes: positiveInt(
      "STORAGE_FRAME_BUDGET_BYTES",
      env.STORAGE_FRAME_BUDGET_BYTES,
      DEFAULT_STORAGE_FRAME_BUDGET_BYTES,
      HARD_MAX_GUEST_MEMORY_BYTES,
    ),
    leaseQuotaBytes: positiveInt(
      "LEASE_QUOTA_BYTES",
      env.LEASE_QUOTA_BYTES,
      DEFAULT_LEASE_QUOTA_BYTES,
      HARD_MAX_STORAGE_LIMIT_BYTES,
    ),
    leaseMaxBytes: positiveInt(
      "LEASE_MAX_BYTES",
      env.LEASE_MAX_BYTES,
      DEFAULT_LEASE_MAX_BYTES,
      HARD_MAX_STORAGE_LIMIT_BYTES,
    ),
    fabricArenaBytes: positiveInt(
      "FABRIC_ARENA_BYTES",
      env.FABRIC_ARENA_BYTES,
      DEFAULT_FABRIC_ARENA_BYTES,
      HARD_MAX_STORAGE_LIMIT_BYTES,
    ),
    leaseMaxSecs: positiveInt(
      "LEASE_MAX_SECS",
      env.LEASE_MAX_SECS,
      DEFAULT_LEASE_MAX_SECS,
      HARD_MAX_LEASE_SECS,
    ),
    leaseGraceSecs: positiveInt(
      "LEASE_GRACE_SECS",
      env.LEASE_GRACE_SECS,
      DEFAULT_LEASE_GRACE_SECS,
      HARD_MAX_LEASE_GRACE_SECS,
    ),
    faultInjection: env.FAULT_INJECTION?.trim() === "1",
  };
}

function positiveInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new EdgeError("INTERNAL", `${name} must be an integer in 1..${max}, got "${raw}"`);
  }
  return value;
}
