// Builds the executor for one request on one instance: its sandbox (code
// hash, memory cap, metering), its state channel, its namespaces' ports and
// its related-state lookups, from the instance's record and settings.
import type { CodeStore } from "../code/code-store.js";
import { capMemoryPages } from "../code/wasm-sections.js";
import type { Settings } from "../config.js";
import { newHasher } from "../hashing/blake3-module.js";
import { WASM_PAGE_BYTES } from "../limits.js";
import type { InstanceRpc } from "../protocol/instance-rpc.js";
import type { InstanceRecord } from "../store/instance/instance-record.js";
import type { StateStore } from "../store/state/state-store.js";
import { ContractExecutor } from "./contract-executor.js";
import { fuelLimitFor, type ExecutionOptions } from "./execution-options.js";
import { readInstanceState } from "./instance-directory.js";
import type { NamespaceHosts } from "./namespace-hosts.js";
import { StateReaderTarget } from "./ports/state-reader-target.js";
import { fetchRelatedStates } from "./related-states.js";
import { sandboxFor } from "./sandbox-loader.js";
import { isComponentCode } from "../namespaces/registry.js";
import type { PortFrame } from "../namespaces/host-namespace.js";

export interface ExecutorContext {
  loader: WorkerLoader;
  code: CodeStore;
  instances: DurableObjectNamespace<InstanceRpc>;
  settings: Settings;
  /** Contracts run metered; only the benchmark's baseline turns it off. */
  metered: boolean;
  state: StateStore;
  hosts: NamespaceHosts;
}

/** `frame`: the `run` call frame the executor serves (its ports join the frame's transaction). */
export function executorFor(
  instance: InstanceRecord,
  options: ExecutionOptions,
  ctx: ExecutorContext,
  frame: PortFrame | null = null,
): ContractExecutor {
  const { settings, metered, state } = ctx;
  const maxPages = settings.guestMemoryBytes / WASM_PAGE_BYTES;
  const kind = isComponentCode(instance.namespaces) ? "component" : "core";
  const loadCode = async (codeHash: string) => {
    if (kind === "component") {
      const { js, modules } = await ctx.code.component(codeHash, metered);
      const capped = modules.map(({ name, bytes }) => ({ name, bytes: capMemoryPages(bytes, maxPages) }));
      return { kind, bundle: { js, modules: capped } } as const;
    }
    const wasm = metered
      ? await ctx.code.metered(codeHash)
      : new Uint8Array(await (await ctx.code.get(codeHash)).arrayBuffer());
    return { kind, wasm: capMemoryPages(wasm, maxPages) } as const;
  };
  return new ContractExecutor({
    sandbox: sandboxFor(instance.codeHash, {
      loader: ctx.loader,
      newHasher,
      memoryLimitBytes: settings.guestMemoryBytes,
      cpuMs: settings.contractCpuMs,
      deadlineMs: settings.contractDeadlineMs,
      metered,
      kind,
      loadCode,
    }),
    openState: (blob) => {
      const pinned = state.pin(blob);
      return { reader: new StateReaderTarget(pinned.read), release: pinned.release };
    },
    relatedStates: (ids) =>
      fetchRelatedStates(
        {
          selfId: instance.id,
          readOwn: () => {
            const head = state.head();
            return head && { size: head.size, body: state.read(head, { start: 0, end: head.size }) };
          },
          readOther: (id) => readInstanceState(ctx.instances, id),
        },
        ids,
      ),
    settings: {
      memoryLimitBytes: settings.guestMemoryBytes,
      readAheadBytes: settings.readAheadBytes,
      pageMode: settings.pageMode,
      fuel: metered
        ? {
            limit: fuelLimitFor(options, settings.fuelPerCall),
            slice: settings.fuelSlice,
            depthLimit: settings.callDepthLimit,
          }
        : null,
      deadlineMs: settings.contractDeadlineMs,
      pauseEveryMs: settings.pauseEveryMs,
    },
    parameters: instance.parameters,
    namespacePorts: () => ctx.hosts.ports(instance.namespaces, frame),
  });
}
