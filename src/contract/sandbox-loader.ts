// Starts (or reuses) the sandbox isolate for a contract: the Worker Loader
// caches isolates by our key, so the key covers everything the code depends
// on: code hash, host runtime version, memory cap.
import hostRuntime from "../../build/sandbox-host.txt";
import { unwrap } from "../errors.js";
import { SANDBOX_DEADLINE_GRACE_MS } from "../limits.js";
import { sandboxFailure, withDeadline } from "./sandbox-failure.js";
import type { HasherFactory } from "../hashing/blake3.js";
import { encodeId } from "../identity/ids.js";
import type { SandboxPort } from "./contract-executor.js";
import type ContractSandbox from "../sandbox/sandbox-main.js";
import type { CallPorts, ContractRequest, SandboxReply } from "../protocol/sandbox-call.js";
import { METERING_VERSION } from "../metering/fuel-costs.js";

/** Pinned below the runtime's newest date so vitest's older workerd accepts it too. */
export const SANDBOX_COMPATIBILITY_DATE = "2026-11-01";

export interface SandboxLoaderOptions {
  loader: WorkerLoader;
  newHasher: HasherFactory;
  /** The contract's wasm, already capped to the guest memory limit. */
  loadWasm(codeHash: string): Promise<Uint8Array>;
  memoryLimitBytes: number;
  cpuMs: number;
  /** The sandbox checks this itself at every pause; the DO stops waiting a little after it. */
  deadlineMs: number;
  /** Whether `loadWasm` gives metered modules (always, except the benchmark's baseline). */
  metered: boolean;
}

let runtimeVersion: string | undefined;

export function sandboxRuntimeVersion(newHasher: HasherFactory): string {
  runtimeVersion ??= encodeId(newHasher().update(new TextEncoder().encode(hostRuntime)).digest()).slice(
    0,
    16,
  );
  return runtimeVersion;
}

export function sandboxFor(codeHash: string, options: SandboxLoaderOptions): SandboxPort {
  const metering = options.metered ? `m${METERING_VERSION}` : "unmetered";
  const key = `${codeHash}:${sandboxRuntimeVersion(options.newHasher)}:${options.memoryLimitBytes}:${metering}`;
  return {
    async run(request: ContractRequest, ports: CallPorts): Promise<SandboxReply> {
      // Only get() right before a call: a stub made in a request that ends
      // unused leaves that isolate key broken in local workerd.
      const worker = options.loader.get(key, async () => ({
        compatibilityDate: SANDBOX_COMPATIBILITY_DATE,
        mainModule: "host.js",
        modules: { "host.js": hostRuntime, "contract.wasm": { wasm: await options.loadWasm(codeHash) } },
        globalOutbound: null,
      }));
      const entry = worker.getEntrypoint<ContractSandbox>(undefined, { limits: { cpuMs: options.cpuMs } });
      let outcome;
      try {
        outcome = await withDeadline(
          entry.run(request, ports),
          options.deadlineMs + SANDBOX_DEADLINE_GRACE_MS,
        );
      } catch (error) {
        throw sandboxFailure(error);
      }
      return unwrap(outcome as Awaited<ReturnType<ContractSandbox["run"]>>);
    },
  };
}
