// Per-request execution options, as routes parse them (src/http/fuel-headers.ts)
// and the Durable Object applies them to the executor it builds for the request.

export interface ExecutionOptions {
  /** Lower the fuel budget for this request (x-fuel-limit); never above the configured one. */
  fuelLimit?: number;
}

/** Fuel a request's contract calls used (null when it ran none, or unmetered). */
export interface FuelReport {
  fuel: number | null;
}

/** The request's fuel budget: the configured one, or the lower one the request asked for. */
export function fuelLimitFor(options: ExecutionOptions, configured: number): number {
  return Math.min(options.fuelLimit ?? configured, configured);
}
