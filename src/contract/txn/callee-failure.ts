// How a callee's failure reaches its caller: a stable negative status (never
// a trap of the caller), the refusal's message as the answer, and the fuel
// the failed subtree burnt, which still counts against the shared budget.
import { EdgeError } from "../../errors.js";
import { HostStatus, type HostStatusCode } from "../../protocol/host-status.js";

export interface CalleeFailure {
  status: HostStatusCode;
  output: Uint8Array;
  fuel: number;
}

export function calleeFailure(error: unknown): CalleeFailure {
  const edge = error instanceof EdgeError ? error : undefined;
  const fuel = typeof edge?.details?.fuel === "number" ? edge.details.fuel : 0;
  switch (edge?.code) {
    case "CONTRACT_REJECTED": {
      const message = typeof edge.details?.message === "string" ? edge.details.message : edge.message;
      return { status: HostStatus.CALLEE_REFUSED, output: new TextEncoder().encode(message), fuel };
    }
    case "CONTRACT_OUT_OF_FUEL":
      return { status: HostStatus.CALLEE_OUT_OF_FUEL, output: new Uint8Array(0), fuel };
    case "CONTRACT_ABI":
      return { status: HostStatus.CALLEE_UNSUPPORTED, output: new Uint8Array(0), fuel };
    case "CALL_LIMIT":
      return { status: HostStatus.CALL_LIMIT, output: new Uint8Array(0), fuel };
    default:
      return { status: HostStatus.CALLEE_TRAPPED, output: new Uint8Array(0), fuel };
  }
}
