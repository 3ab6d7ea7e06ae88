// Main module of the sandbox isolate, built to one JS file (build/sandbox-host.txt)
// and loaded by the Worker Loader together with the contract as "contract.wasm".
// It has no bindings and no network (globalOutbound: null); everything it
// reaches of the instance comes through the ports object of the call.
import { WorkerEntrypoint } from "cloudflare:workers";
import contract from "./contract.wasm";
import { toOutcome, type Outcome } from "../errors.js";
import type { CallPorts, ContractRequest, SandboxReply } from "../protocol/sandbox-call.js";
import { executeContract } from "./execute-contract.js";

export default class ContractSandbox extends WorkerEntrypoint {
  async run(request: ContractRequest, ports: CallPorts): Promise<Outcome<SandboxReply>> {
    return toOutcome(() => executeContract(contract, request, ports));
  }
}
