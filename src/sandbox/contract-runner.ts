// Runs one contract export on a fresh instance (the guest leaks every buffer
// and result, so instances are never reused; the compiled module is). The
// import object comes from the namespace registry: each namespace the module
// imports is bound to this call and to the port the DO handed over for it.
import { EdgeError } from "../errors.js";
import { InputBuffers, type BufferExports } from "../guest-abi/freenet/input-buffers.js";
import { decodeRecord, type FreenetValue } from "../guest-abi/freenet/result-record.js";
import { GuestMemory } from "../guest-abi/guest-memory.js";
import { bytesInput, type InputSource } from "../guest-abi/input-source.js";
import { LogBudget } from "../guest-abi/log-budget.js";
import { FuelMeter, UNMETERED, type FuelOptions } from "../metering/fuel-meter.js";
import { FUEL_EXPORT, METER_MODULE, REFUEL_IMPORT, START_EXPORT } from "../metering/metering-abi.js";
import type { GuestBinding, GuestCall } from "../namespaces/host-namespace.js";
import { ExecutionBlocks } from "../guest-abi/shm/execution-blocks.js";
import { freenetContractIo } from "../namespaces/freenet-contract-io.js";
import { namespaceNamed } from "../namespaces/registry.js";
import type { FreenetOp, NamespaceChanges, NamespacePorts } from "../protocol/sandbox-call.js";
import { classifyFailure, withFuel } from "./classify-failure.js";

export type { ContractOp, FreenetOp } from "../protocol/sandbox-call.js";
export type { FreenetValue };

export type ContractCall =
  | {
      op: FreenetOp;
      parameters: Uint8Array;
      state: InputSource;
      /** validate_state: bincode RelatedContracts; update_state: bincode Vec<UpdateData>; get_state_delta: summary. */
      third?: Uint8Array;
    }
  | { op: "run"; input: InputSource };

export interface RunOptions {
  /** Suspend the guest on refills and ports (JSPI) instead of requiring synchronous answers. */
  jspi: boolean;
  /** The ports answer synchronously (an in-process host); a sandbox's are RPC stubs. */
  localPorts?: boolean;
  memoryLimitBytes: number;
  log?: (message: string) => void;
  now?: () => Date;
  /** Ports by namespace name; a namespace without one runs disconnected (see each namespace). */
  ports?: NamespacePorts;
  /** Fuel for a metered module (see src/metering); absent: the module must be unmetered. */
  fuel?: FuelOptions;
}

export interface ContractOutcome {
  value: FreenetValue;
  memory: GuestMemory;
  /** Guest memory size before the inputs were placed, for memory accounting. */
  baselineBytes: number;
  /** What each namespace's part of the call changed (e.g. edge_storage frames), by namespace. */
  changes: NamespaceChanges;
  /** Fuel the call used; null for an unmetered module. */
  fuel: number | null;
}

interface ContractExports extends BufferExports {
  memory: WebAssembly.Memory;
  __frnt_set_id?: (id: bigint) => void;
  [name: string]: unknown;
}

let nextInstanceId = 0n;

/** Whether a module takes its inputs in refills (it imports freenet_contract_io) or whole. */
export function usesStreaming(module: WebAssembly.Module): boolean {
  return streams(WebAssembly.Module.imports(module));
}

function streams(imported: readonly WebAssembly.ModuleImportDescriptor[]): boolean {
  return imported.some((entry) => entry.module === freenetContractIo.name);
}

/** Binds every registered namespace the module imports; an unknown one fails instantiation (CONTRACT_ABI). */
function bindNamespaces(
  imported: readonly WebAssembly.ModuleImportDescriptor[],
  call: GuestCall,
  ports: NamespacePorts,
): Map<string, GuestBinding<unknown>> {
  const bound = new Map<string, GuestBinding<unknown>>();
  for (const { module: name } of imported) {
    const namespace = namespaceNamed(name);
    if (namespace && !bound.has(name)) bound.set(name, namespace.bind(call, ports[name]));
  }
  return bound;
}

export async function runContract(
  module: WebAssembly.Module,
  request: ContractCall,
  options: RunOptions,
): Promise<ContractOutcome> {
  let memory: GuestMemory | undefined;
  let inputs: InputBuffers | undefined;
  const meter = options.fuel ? new FuelMeter(options.fuel) : undefined;
  const logs = new LogBudget(options.log ?? (() => {}));
  let blocks: ExecutionBlocks | undefined;
  const call: GuestCall = {
    memory: () => memory ?? fail("memory used before instantiation"),
    blocks: () => (blocks ??= new ExecutionBlocks(() => call.memory())),
    inputs: () => inputs ?? fail("inputs used before instantiation"),
    log: (line) => logs.line(line),
    now: options.now ?? (() => new Date()),
    jspi: options.jspi,
    localPorts: options.localPorts ?? false,
    meter: meter ?? UNMETERED,
    checkpoint: () => {
      const changes: NamespaceChanges = {};
      for (const [name, binding] of bindings) {
        const changed = binding.checkpoint?.();
        if (changed !== undefined) changes[name] = changed;
      }
      return changes;
    },
    refresh: async (changed) => {
      for (const [name, binding] of bindings) {
        if (changed[name] !== undefined) await binding.refresh?.(changed[name]);
      }
    },
  };
  const imported = WebAssembly.Module.imports(module);
  const bindings = bindNamespaces(imported, call, options.ports ?? {});
  const refuel = () => (meter ?? fail("an unmetered call asked for fuel")).refuel();
  const imports: WebAssembly.Imports = Object.fromEntries(
    [...bindings].map(([name, binding]) => [name, binding.imports]),
  );
  imports[METER_MODULE] = {
    [REFUEL_IMPORT]: options.jspi ? (new WebAssembly.Suspending(refuel) as never) : refuel,
  };
  const exports = trapping(
    () => new WebAssembly.Instance(module, imports).exports,
  ) as unknown as ContractExports;
  if (!(exports.memory instanceof WebAssembly.Memory))
    throw new EdgeError("CONTRACT_ABI", "the contract exports no memory");
  memory = new GuestMemory(exports.memory, options.memoryLimitBytes);
  const guest = memory;
  // Every guest entry goes through here: the depth counter starts full, and under
  // JSPI the guest runs suspendable (refills, storage, fuel pauses).
  const enter = async <A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<R> => {
    meter?.enter(options.jspi);
    if (!options.jspi) return fn(...args);
    return (await (WebAssembly.promising(fn as never) as unknown as (...args: A) => Promise<R>)(
      ...args,
    )) as R;
  };
  inputs = new InputBuffers(
    memory,
    {
      __frnt__initiate_buffer: (capacity) =>
        enter(exports.__frnt__initiate_buffer as (n: number) => bigint, capacity),
    },
    streams(imported),
  );
  const entry = exports[request.op];
  if (typeof entry !== "function")
    throw new EdgeError("CONTRACT_ABI", `the contract does not export ${request.op}`);

  try {
    if (meter) meter.attach(exports as unknown as WebAssembly.Exports);
    else if (options.fuel === undefined && FUEL_EXPORT in exports)
      fail("a metered module needs a fuel budget");
    const start = exports[START_EXPORT];
    if (typeof start === "function") await enter(start as () => void);
    guest.checkLimit();
    if (exports.__frnt_set_id) await enter(exports.__frnt_set_id, nextInstanceId++);
    const baselineBytes = guest.size;
    const args =
      request.op === "run"
        ? [await inputs.place(request.input)]
        : [
            await inputs.place(bytesInput(request.parameters)),
            await inputs.place(request.state),
            ...(request.third === undefined ? [] : [await inputs.place(bytesInput(request.third))]),
          ];
    const returned = await enter(entry as (...args: bigint[]) => bigint, ...args);
    guest.checkLimit();
    const value = decodeRecord(guest, request.op, returned);
    const changes: NamespaceChanges = {};
    for (const [name, binding] of bindings) {
      const changed = binding.finish?.();
      if (changed !== undefined) changes[name] = changed;
    }
    return { value, memory: guest, baselineBytes, changes, fuel: meter ? meter.used : null };
  } catch (error) {
    throw withFuel(classifyFailure(error, guest, meter), meter);
  } finally {
    logs.finish();
  }
}

function trapping<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw classifyFailure(error, undefined);
  }
}

function fail(message: string): never {
  throw new EdgeError("INTERNAL", message);
}
