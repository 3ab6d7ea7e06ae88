// Per-request execution options, as routes parse them (src/http/fuel-headers.ts)
// and the Durable Object applies them to the executor it builds for the request.

import type { Fault } from "../protocol/transaction.js";

export interface ExecutionOptions {
  /** Lower the fuel budget for this request (x-fuel-limit); never above the configured one. */
  fuelLimit?: number;
  /** A crash point for the run's transaction (x-fault-inject; only where FAULT_INJECTION=1). */
  fault?: Fault;
}

/** Fuel a request's contract calls used (null when it ran none, or unmetered). */
export interface FuelReport {
  fuel: number | null;
}

/** The request's fuel budget: the configured one, or the lower one the request asked for. */
export function fuelLimitFor(options: ExecutionOptions, configured: number): number {
  return Math.min(options.fuelLimit ?? configured, configured);
}
