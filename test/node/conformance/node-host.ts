// The conformance host for node: each instance is a NodeInstance (the
// production namespace hosts over node:sqlite, the real runner), the guests
// are the build's wasm, read from build/contracts. Its clock is the test's.
import { edgeStorage } from "../../../src/namespaces/edge-storage.js";
import { fbmu } from "../../../src/namespaces/fbmu.js";
import type {
  ConformanceHost,
  ConformanceInstance,
  RunOutcome,
} from "../../support/conformance/conformance-host.js";
import { NodeInstance, type InstanceOutcome, type NodeInstanceOptions } from "../support/node-instance.js";
import { peek } from "../support/storage-bytes.js";
import { contractModule } from "../support/wasm.js";

function outcomeOf(outcome: InstanceOutcome): RunOutcome {
  if (outcome.kind === "ok") return outcome;
  if (outcome.kind === "error") return { kind: "rejected", message: outcome.message };
  return { kind: "failed", code: outcome.code };
}

function conformanceInstance(instance: NodeInstance, module: WebAssembly.Module): ConformanceInstance {
  const storage = instance.hosts.store(edgeStorage);
  const leases = instance.hosts.store(fbmu);
  return {
    run: async (input) => outcomeOf(await instance.run(module, input)),
    storageBytes: async (offset, length) => peek(storage, offset, length),
    storageStats: async () => storage.stats(),
    leases: async () =>
      leases.list().map(({ id, status, arenaSize, createdAt, expiresAt }) => ({
        id,
        status,
        arenaSize,
        createdAt,
        expiresAt,
      })),
    leaseBytes: async (id, offset, length) => leases.read(id, offset, length),
    arenaBytes: async (offset, length) => leases.read(null, offset, length),
    alarm: async () => instance.alarm(),
    elapse: async (secs) => instance.clock.advance(secs),
  };
}

/** `options.remotePorts`: the ports answer as RPC stubs do, so the host is a sandbox without JSPI. */
export function nodeHost(name: string, options: NodeInstanceOptions = {}): ConformanceHost {
  const modules = new Map<string, WebAssembly.Module>();
  const limits = new NodeInstance(options).settings;
  return {
    name,
    reachesInstance: !options.remotePorts,
    clockControl: true,
    alarmControl: true,
    limits,
    open: async (contract) => {
      let module = modules.get(contract);
      if (!module) {
        module = contractModule(contract);
        modules.set(contract, module);
      }
      return conformanceInstance(new NodeInstance(options), module);
    },
  };
}
