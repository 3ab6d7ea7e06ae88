// One contract call inside the sandbox: choose how state windows arrive (JSPI
// refills pulled from the DO, or everything prefetched when the isolate lacks
// JSPI), run the export, and turn the result into an RPC-safe reply whose
// byte payloads stream out of guest memory 64 KiB at a time.
import { runContract, type FreenetValue } from "./contract-runner.js";
import { EdgeError } from "../errors.js";
import { bytesInput, pagedInput, prefetched, type InputSource } from "../guest-abi/input-source.js";
import type { CallPorts, ContractRequest, ExecutionStats, SandboxReply } from "../protocol/sandbox-call.js";
import { Pacer } from "./pause-for-others.js";
import { replyBody } from "./guest-bytes-stream.js";
import { validateNewState } from "./validate-new-state.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function hasJspi(): boolean {
  return typeof WebAssembly.Suspending === "function" && typeof WebAssembly.promising === "function";
}

let isolateCalls = 0;

export async function executeContract(
  module: WebAssembly.Module,
  request: ContractRequest,
  ports: CallPorts,
): Promise<SandboxReply> {
  isolateCalls++;
  const jspi = request.settings.pageMode === "auto" && hasJspi();
  const { fuel } = request.settings;
  const pacer = new Pacer(request.settings);
  const options = {
    jspi,
    ...(fuel ? { fuel: { ...fuel, ...(jspi ? { pause: () => pacer.slice() } : {}) } } : {}),
    memoryLimitBytes: request.settings.memoryLimitBytes,
    log: (line: string) => console.log(`[contract] ${line}`),
    ports: ports.namespaces,
  };
  let outcome;
  if (request.op === "run") {
    outcome = await runContract(
      module,
      { op: "run", input: bytesInput(request.input ?? new Uint8Array(0)) },
      options,
    );
  } else {
    const state = await stateInput(request, ports, jspi);
    const third = request.third === undefined ? {} : { third: request.third };
    outcome = await runContract(
      module,
      { op: request.op, parameters: request.parameters, state, ...third },
      options,
    );
  }
  const validated = await validateNewState(module, request, ports, outcome, options);
  const stats: ExecutionStats = {
    pages: jspi ? "jspi" : "prefetch",
    baselineBytes: outcome.baselineBytes,
    guestMemoryBytes: Math.max(outcome.memory.size, validated?.memoryBytes ?? 0),
    isolateCalls,
    fuel: validated ? validated.fuel : outcome.fuel,
  };
  const answer = reply(outcome.value, stats);
  if (validated && answer.kind === "update") answer.validated = validated.result;
  return { ...answer, changes: outcome.changes };
}

/** The call's state: inline in the request when small, else pages pulled from the DO (all first without JSPI). */
async function stateInput(request: ContractRequest, ports: CallPorts, jspi: boolean): Promise<InputSource> {
  if (request.state !== undefined) {
    if (request.state.length !== request.stateLength) {
      throw new EdgeError(
        "INTERNAL",
        `inline state has ${request.state.length} of ${request.stateLength} bytes`,
      );
    }
    return bytesInput(request.state);
  }
  if (!ports.state) throw new EdgeError("INTERNAL", "a call without inline state needs a state reader");
  const paged = pagedInput(request.stateLength, ports.state, request.settings.readAheadBytes);
  return jspi ? paged : prefetched(paged);
}

function reply(value: FreenetValue, stats: ExecutionStats): DistributiveOmit<SandboxReply, "changes"> {
  switch (value.op) {
    case "run":
      return value.result.ok
        ? {
            kind: "run",
            result: { ok: true, value: { size: value.result.value.length } },
            body: replyBody(value.result.value),
            stats,
          }
        : { kind: "run", result: value.result, body: null, stats };
    case "validate_state":
      return { kind: "validate", result: value.result, stats };
    case "update_state": {
      if (!value.result.ok) return { kind: "update", result: value.result, body: null, stats };
      const { newState, related } = value.result.value;
      return {
        kind: "update",
        result: { ok: true, value: { newStateSize: newState?.length ?? null, related } },
        body: newState ? replyBody(newState) : null,
        stats,
      };
    }
    case "summarize_state":
    case "get_state_delta": {
      if (!value.result.ok) return { kind: "bytes", result: value.result, body: null, stats };
      const bytes = value.result.value;
      return {
        kind: "bytes",
        result: { ok: true, value: { size: bytes.length } },
        body: replyBody(bytes),
        stats,
      };
    }
  }
}
