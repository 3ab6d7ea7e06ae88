// Per-request execution options, as routes parse them and the Durable Object
// applies them to the executor it builds for the request.
import { EdgeError } from "../errors.js";

export interface ExecutionOptions {
  /** Lower the fuel budget for this request (x-fuel-limit); never above the configured one. */
  fuelLimit?: number;
}

/** Fuel a request's contract calls used (null when it ran none, or unmetered). */
export interface FuelReport {
  fuel: number | null;
}

/** The request's fuel budget: the configured one, or a lower one the request asked for. */
export function fuelLimitFor(options: ExecutionOptions, configured: number): number {
  const { fuelLimit } = options;
  if (fuelLimit === undefined) return configured;
  if (!Number.isSafeInteger(fuelLimit) || fuelLimit < 1 || fuelLimit > configured) {
    throw new EdgeError("BAD_REQUEST", `x-fuel-limit must be an integer from 1 to ${configured}`, {
      details: { fuelLimit, max: configured },
    });
  }
  return fuelLimit;
}
