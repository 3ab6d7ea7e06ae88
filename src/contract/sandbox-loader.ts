// Starts (or reuses) the sandbox isolate for a contract: the Worker Loader
// caches isolates by our key, so the key covers everything the code depends
// on: code hash, host runtime version, memory cap.
import hostRuntime from "../../build/sandbox-host.txt";
import componentRuntime from "../../build/component-host.txt";
import type { ComponentBundle } from "../code/component-bundle.js";
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
  /** The contract's wasm (a core module), or its glue and core modules (a component), capped to the guest memory limit. */
  loadCode(
    codeHash: string,
  ): Promise<{ kind: "core"; wasm: Uint8Array } | { kind: "component"; bundle: ComponentBundle }>;
  /** Which runtime the code needs (known from the instance record before the code is loaded). */
  kind: "core" | "component";
  memoryLimitBytes: number;
  cpuMs: number;
  /** The sandbox checks this itself at every pause; the DO stops waiting a little after it. */
  deadlineMs: number;
  /** Whether `loadWasm` gives metered modules (always, except the benchmark's baseline). */
  metered: boolean;
}

const runtimeVersions = new Map<string, string>();

export function sandboxRuntimeVersion(newHasher: HasherFactory, kind: "core" | "component" = "core"): string {
  let version = runtimeVersions.get(kind);
  if (version === undefined) {
    const text = kind === "core" ? hostRuntime : componentRuntime;
    version = encodeId(newHasher().update(new TextEncoder().encode(text)).digest()).slice(0, 16);
    runtimeVersions.set(kind, version);
  }
  return version;
}

type LoaderModules = Record<string, string | { wasm: Uint8Array }>;

async function isolateModules(codeHash: string, options: SandboxLoaderOptions): Promise<LoaderModules> {
  const code = await options.loadCode(codeHash);
  if (code.kind === "core") return { "host.js": hostRuntime, "contract.wasm": { wasm: code.wasm } };
  const { js, modules } = code.bundle;
  // The index the component host imports: each core module by the name the glue asks for.
  const index = [
    ...modules.map(({ name }, i) => `import m${i} from ${JSON.stringify(`./${name}`)};`),
    `export default { ${modules.map(({ name }, i) => `${JSON.stringify(name)}: m${i}`).join(", ")} };`,
  ].join("\n");
  return {
    "host.js": componentRuntime,
    "component.js": js,
    "component-modules.js": index,
    ...Object.fromEntries(modules.map(({ name, bytes }) => [name, { wasm: bytes }])),
  };
}

export function sandboxFor(codeHash: string, options: SandboxLoaderOptions): SandboxPort {
  const metering = options.metered ? `m${METERING_VERSION}` : "unmetered";
  const runtime = sandboxRuntimeVersion(options.newHasher, options.kind);
  const key = `${codeHash}:${options.kind}:${runtime}:${options.memoryLimitBytes}:${metering}`;
  return {
    async run(request: ContractRequest, ports: CallPorts): Promise<SandboxReply> {
      // Only get() right before a call: a stub made in a request that ends
      // unused leaves that isolate key broken in local workerd.
      const worker = options.loader.get(key, async () => ({
        compatibilityDate: SANDBOX_COMPATIBILITY_DATE,
        mainModule: "host.js",
        modules: await isolateModules(codeHash, options),
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
