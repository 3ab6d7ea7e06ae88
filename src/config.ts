// Deployment settings read from bindings, validated once so a typo fails loudly.
import { EdgeError } from "./errors.js";
import { DEFAULT_MAX_STATE_BYTES, HARD_MAX_STATE_BYTES } from "./limits.js";

export interface Settings {
  maxStateBytes: number;
}

interface SettingsSource {
  MAX_STATE_BYTES?: string;
}

export function readSettings(env: SettingsSource): Settings {
  return { maxStateBytes: positiveInt(env.MAX_STATE_BYTES, DEFAULT_MAX_STATE_BYTES, HARD_MAX_STATE_BYTES) };
}

function positiveInt(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new EdgeError("INTERNAL", `MAX_STATE_BYTES must be an integer in 1..${max}, got "${raw}"`);
  }
  return value;
}
