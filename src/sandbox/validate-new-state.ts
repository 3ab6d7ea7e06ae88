// update_state's new state judged in the same sandbox call, on a fresh
// instance, instead of a second call from the DO (which would send the same
// bytes back in): one RPC round trip less per small update. The sandbox does
// it only where the verdict is exactly what that second call would give, and
// leaves the rest to the DO.
import { EdgeError } from "../errors.js";
import { bytesInput } from "../guest-abi/input-source.js";
import { bytesEqual } from "../bytes.js";
import { INLINE_CALL_BYTES } from "../limits.js";
import {
  encodeRelatedContracts,
  type BincodeResult,
  type ValidateResult,
} from "../protocol/freenet-bincode.js";
import type { CallPorts, ContractRequest } from "../protocol/sandbox-call.js";
import { runContract, type ContractOutcome, type RunOptions } from "./contract-runner.js";

const NO_RELATED = encodeRelatedContracts([]);

export interface Validated {
  result: BincodeResult<ValidateResult>;
  fuel: number | null;
  memoryBytes: number;
}

/**
 * validate_state on the new state `update` made, or undefined where the DO must judge it itself: no
 * new state, one the same as the head (no new version, so nothing to judge), one too large to have
 * come inline, an update that wrote to a namespace or a module with namespace ports (their view is
 * the DO's to give), or an update instance big enough that two in one isolate could exhaust it.
 */
export async function validateNewState(
  module: WebAssembly.Module,
  request: ContractRequest,
  ports: CallPorts,
  update: ContractOutcome,
  options: RunOptions,
): Promise<Validated | undefined> {
  if (!request.validateResult || request.state === undefined) return undefined;
  const { value } = update;
  if (value.op !== "update_state" || !value.result.ok) return undefined;
  const { newState } = value.result.value;
  if (!newState || newState.length > INLINE_CALL_BYTES || bytesEqual(newState, request.state))
    return undefined;
  if (Object.keys(update.changes).length > 0 || Object.keys(ports.namespaces).length > 0) return undefined;
  if (update.memory.size > request.settings.memoryLimitBytes / 2) return undefined;
  const used = update.fuel ?? 0;
  const fuel = options.fuel && { ...options.fuel, limit: options.fuel.limit - used };
  let outcome: ContractOutcome;
  try {
    outcome = await runContract(
      module,
      {
        op: "validate_state",
        parameters: request.parameters,
        state: bytesInput(newState),
        third: NO_RELATED,
      },
      { ...options, ...(fuel ? { fuel } : {}) },
    );
  } catch (error) {
    throw withUpdateFuel(error, used);
  }
  if (outcome.value.op !== "validate_state")
    throw new EdgeError("INTERNAL", "validate_state answered another op");
  return {
    result: outcome.value.result,
    fuel: outcome.fuel === null ? null : used + outcome.fuel,
    memoryBytes: outcome.memory.size,
  };
}

/** A failed validation's error counts the update's fuel too: the DO charges the call's whole use. */
function withUpdateFuel(error: unknown, used: number): unknown {
  if (!(error instanceof EdgeError) || typeof error.details?.fuel !== "number") return error;
  return new EdgeError(error.code, error.message, {
    cause: error.cause,
    details: { ...error.details, fuel: error.details.fuel + used },
  });
}
