// The request and response headers of metered execution: `x-fuel-limit` lowers
// a request's budget, `x-contract-fuel` reports what the request used. The
// limit is checked here, on the headers, before any body is read.
import { readSettings, type SettingsSource } from "../config.js";
import type { ExecutionOptions } from "../contract/execution-options.js";
import { EdgeError } from "../errors.js";

export const FUEL_LIMIT_HEADER = "x-fuel-limit";
export const FUEL_USED_HEADER = "x-contract-fuel";

/** Execution options from a request's headers, checked against the deployment's fuel budget. */
export function executionOptions(c: {
  req: { header(name: string): string | undefined };
  env: SettingsSource;
}): ExecutionOptions {
  const raw = c.req.header(FUEL_LIMIT_HEADER)?.trim();
  const configured = readSettings(c.env).fuelPerCall;
  if (raw === undefined) return {};
  const fuelLimit = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(fuelLimit >= 1 && fuelLimit <= configured)) {
    throw new EdgeError("BAD_REQUEST", `${FUEL_LIMIT_HEADER} must be an integer from 1 to ${configured}`, {
      details: { [FUEL_LIMIT_HEADER]: raw.slice(0, 40), max: configured },
    });
  }
  return { fuelLimit };
}

/** The fuel header for an answer; empty when nothing metered ran. */
export function fuelHeaders(fuel: number | null | undefined): Record<string, string> {
  return typeof fuel === "number" ? { [FUEL_USED_HEADER]: String(fuel) } : {};
}
