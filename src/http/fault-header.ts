// x-fault-inject: a crash point for the run's transaction, honoured only where
// the deployment sets FAULT_INJECTION=1 (the tests of transaction recovery).
import { readSettings, type SettingsSource } from "../config.js";
import { EdgeError } from "../errors.js";
import type { Fault, FaultPoint } from "../protocol/transaction.js";

export const FAULT_HEADER = "x-fault-inject";

const POINTS: readonly FaultPoint[] = [
  "coordinator-crash-before-decision",
  "coordinator-crash-after-decision",
  "participant-crash-before-commit",
  "participant-crash-before-answer",
];

/** `point` or `point@<instance id>`; undefined when the header is absent. */
export function faultOf(header: string | undefined, env: SettingsSource): Fault | undefined {
  if (header === undefined) return undefined;
  if (!readSettings(env).faultInjection) {
    throw new EdgeError(
      "BAD_REQUEST",
      `${FAULT_HEADER} is refused: fault injection is off in this deployment`,
    );
  }
  const [point = "", instance] = header.trim().split("@");
  const known = POINTS.find((candidate) => candidate === point);
  if (!known) {
    throw new EdgeError(
      "BAD_REQUEST",
      `${FAULT_HEADER} must be one of ${POINTS.join(", ")} (optionally @<instance id>)`,
    );
  }
  return instance === undefined ? { point: known } : { point: known, instance };
}
