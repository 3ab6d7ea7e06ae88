// Maps whatever a guest did to a stable error code. Running out of fuel or
// stack wins over its symptoms (the trap it caused), and so does running out
// of memory; a host error keeps its own code.
import { EdgeError } from "../errors.js";
import type { GuestMemory } from "../guest-abi/guest-memory.js";
import { WASM_PAGE_BYTES } from "../limits.js";
import type { FuelMeter } from "../metering/fuel-meter.js";

/** A trap of the guest itself (not an error the host raised). */
function isTrap(error: unknown): boolean {
  return error instanceof WebAssembly.RuntimeError;
}

/** V8's own stack limit (hit before our depth counter only by very large frames); it has no error code. */
function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

export function classifyFailure(
  error: unknown,
  memory: GuestMemory | undefined,
  meter?: FuelMeter,
): EdgeError {
  if (meter?.exhausted) return meter.outOfFuelError();
  if (meter?.stackExhausted || isStackOverflow(error)) {
    return (
      meter?.stackError() ?? new EdgeError("CONTRACT_STACK_EXHAUSTED", "the contract overflowed its stack")
    );
  }
  const refusedPages = meter?.growRefusedPages ?? 0;
  if (memory && refusedPages > 0 && isTrap(error)) return memory.limitError(refusedPages * WASM_PAGE_BYTES);
  if (memory?.atLimit() && !(error instanceof EdgeError && error.code === "CONTRACT_REJECTED")) {
    return memory.limitError();
  }
  if (error instanceof EdgeError) return error;
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  if (name === "RuntimeError" || name === "RangeError" || name === "SuspendError") {
    return new EdgeError("CONTRACT_TRAP", `the contract trapped: ${message}`, { cause: error });
  }
  if (name === "LinkError" || name === "CompileError") {
    return new EdgeError("CONTRACT_ABI", `the contract cannot be instantiated: ${message}`, { cause: error });
  }
  return new EdgeError("INTERNAL", `contract execution failed: ${message}`, { cause: error });
}

/** Execution errors say how much fuel the call had used. */
export function withFuel(error: EdgeError, meter: FuelMeter | undefined): EdgeError {
  if (!meter) return error;
  return new EdgeError(error.code, error.message, {
    cause: error.cause,
    details: { ...error.details, fuel: meter.used },
  });
}
