// Unwrapping a RunOutcome, failing the case with what the host answered instead.
import type { RunOutcome } from "./conformance-host.js";

export function okBody(outcome: RunOutcome): Uint8Array {
  if (outcome.kind !== "ok") throw new Error(`expected RUN_OK, got ${JSON.stringify(outcome)}`);
  return outcome.body;
}

export function rejection(outcome: RunOutcome): string {
  if (outcome.kind !== "rejected") throw new Error(`expected RUN_ERROR, got ${JSON.stringify(outcome)}`);
  return outcome.message;
}
