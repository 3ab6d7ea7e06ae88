// The request and response headers of metered execution: `x-fuel-limit` lowers
// a request's budget, `x-contract-fuel` reports what the request used.
import type { ExecutionOptions } from "../contract/execution-options.js";
import { EdgeError } from "../errors.js";

export const FUEL_LIMIT_HEADER = "x-fuel-limit";
export const FUEL_USED_HEADER = "x-contract-fuel";

/** Execution options from a request's headers (the DO checks the limit against its configured budget). */
export function executionOptions(header: (name: string) => string | undefined): ExecutionOptions {
  const raw = header(FUEL_LIMIT_HEADER);
  if (raw === undefined) return {};
  if (!/^\d{1,16}$/.test(raw.trim())) {
    throw new EdgeError("BAD_REQUEST", `${FUEL_LIMIT_HEADER} must be a positive integer`, {
      details: { [FUEL_LIMIT_HEADER]: raw.slice(0, 40) },
    });
  }
  return { fuelLimit: Number(raw.trim()) };
}

/** The fuel header for an answer; empty when nothing metered ran. */
export function fuelHeaders(fuel: number | null | undefined): Record<string, string> {
  return typeof fuel === "number" ? { [FUEL_USED_HEADER]: String(fuel) } : {};
}
