// Main module of a component contract's sandbox isolate, built to one JS
// file (build/component-host.txt). The Worker Loader runs it beside the glue
// our jco generated at upload ("component.js") and an index of the
// component's core modules ("component-modules.js"), both made by the DO's
// sandbox loader. Like the core sandbox it has no bindings and no network.
import { WorkerEntrypoint } from "cloudflare:workers";
import * as glue from "./component.js";
import modules from "./component-modules.js";
import { toOutcome, type Outcome } from "../errors.js";
import type { CallPorts, ContractRequest, SandboxReply } from "../protocol/sandbox-call.js";
import { executeComponent } from "./execute-component.js";

export default class ComponentSandbox extends WorkerEntrypoint {
  async run(request: ContractRequest, ports: CallPorts): Promise<Outcome<SandboxReply>> {
    return toOutcome(() => executeComponent(glue, modules, request, ports));
  }
}
