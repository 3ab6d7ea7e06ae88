// Main module of the sandbox isolate, built to one JS file (build/sandbox-host.txt)
// and loaded by the Worker Loader together with the contract as "contract.wasm".
// It has no bindings and no network (globalOutbound: null); state pages come
// from the calling Durable Object through the PageReader it passes in.
import { WorkerEntrypoint } from "cloudflare:workers";
import contract from "./contract.wasm";
import { toOutcome, type Outcome } from "../errors.js";
import type { PageReader } from "../guest-abi/input-source.js";
import type { FrameSource } from "../guest-abi/edge-storage/frame-table.js";
import type { LeasePort } from "../protocol/lease-port.js";
import { executeContract } from "./execute-contract.js";
import type { ContractRequest, SandboxReply } from "../protocol/sandbox-call.js";

export default class ContractSandbox extends WorkerEntrypoint {
  async run(
    request: ContractRequest,
    pages: PageReader,
    storage?: FrameSource,
    leases?: LeasePort,
  ): Promise<Outcome<SandboxReply>> {
    return toOutcome(() => executeContract(contract, request, pages, storage, leases));
  }
}
