// One component call inside the sandbox: run `run(input)` through the glue
// and turn its answer into the same RPC-safe `run` reply a core contract
// gives, plus what the guest printed. Components always run under JSPI: their
// filesystem calls suspend while the DO answers.
import { EdgeError } from "../errors.js";
import type { CallPorts, ContractRequest, SandboxReply } from "../protocol/sandbox-call.js";
import { runComponent, type ComponentGlue } from "./component-runner.js";
import { hasJspi } from "./execute-contract.js";
import { replyBody } from "./guest-bytes-stream.js";

let isolateCalls = 0;

export async function executeComponent(
  glue: ComponentGlue,
  modules: Record<string, WebAssembly.Module>,
  request: ContractRequest,
  ports: CallPorts,
): Promise<SandboxReply> {
  isolateCalls++;
  if (request.op !== "run") {
    throw new EdgeError("CONTRACT_ABI", `a component contract has only run, not ${request.op}`);
  }
  if (!hasJspi()) throw new EdgeError("SANDBOX_FAILED", "component contracts need JSPI in the sandbox");
  const { fuel } = request.settings;
  const outcome = await runComponent(glue, modules, request.input ?? new Uint8Array(0), {
    memoryLimitBytes: request.settings.memoryLimitBytes,
    ports: ports.namespaces,
    ...(fuel ? { fuel } : {}),
  });
  const stats = {
    pages: "jspi" as const,
    baselineBytes: 0,
    guestMemoryBytes: outcome.memoryBytes,
    isolateCalls,
    fuel: outcome.fuel,
  };
  const { result } = outcome;
  return {
    kind: "run",
    result: result.ok ? { ok: true, value: { size: result.value.length } } : result,
    body: result.ok ? replyBody(result.value) : null,
    stats,
    output: outcome.output,
    changes: outcome.changes,
  };
}
