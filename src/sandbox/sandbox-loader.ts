// Starts (or reuses) the sandbox isolate for a contract: the Worker Loader
// caches isolates by our key, so the key covers everything the code depends
// on: code hash, host runtime version, memory cap.
import hostRuntime from "../../build/sandbox-host.txt";
import { EdgeError, unwrap } from "../errors.js";
import type { HasherFactory } from "../hashing/blake3.js";
import { encodeId } from "../identity/ids.js";
import type { PageReader } from "../abi/input-source.js";
import type { FrameSource } from "../abi/storage/frame-table.js";
import type { LeasePort } from "../abi/fbmu/lease-port.js";
import type { SandboxPort } from "../contract/contract-executor.js";
import type ContractSandbox from "./sandbox-main.js";
import type { ContractRequest, SandboxReply } from "./sandbox-protocol.js";

/** Pinned below the runtime's newest date so vitest's older workerd accepts it too. */
export const SANDBOX_COMPATIBILITY_DATE = "2026-11-01";

export interface SandboxLoaderOptions {
  loader: WorkerLoader;
  newHasher: HasherFactory;
  /** The contract's wasm, already capped to the guest memory limit. */
  loadWasm(codeHash: string): Promise<Uint8Array>;
  memoryLimitBytes: number;
  cpuMs: number;
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
  const key = `${codeHash}:${sandboxRuntimeVersion(options.newHasher)}:${options.memoryLimitBytes}`;
  return {
    async run(
      request: ContractRequest,
      pages: PageReader,
      storage?: FrameSource,
      leases?: LeasePort,
    ): Promise<SandboxReply> {
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
        outcome = await entry.run(request, pages, storage, leases);
      } catch (error) {
        throw sandboxFailure(error);
      }
      return unwrap(outcome as Awaited<ReturnType<ContractSandbox["run"]>>);
    },
  };
}

/** The isolate itself failed (start-up, CPU limit, crash): nothing it did is committed. */
function sandboxFailure(error: unknown): EdgeError {
  if (error instanceof EdgeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // Upload already validated the module, so what is left is the contract's own doing or the CPU limit.
  return new EdgeError("CONTRACT_TRAP", `the contract's sandbox failed: ${message}`, { cause: error });
}
