// Runs one call of a component contract (world edge:contract/file-contract)
// through the glue our pinned jco generated at upload: every core module is
// instantiated here, so each gets the metering import and its fuel globals
// join the call's one budget, and the start function the rewriter exported
// runs metered. The import object comes from the namespaces that serve
// components (src/namespaces/registry.ts); their changes go back for commit.
import { EdgeError } from "../errors.js";
import { GuestMemory } from "../guest-abi/guest-memory.js";
import { FuelMeter, UNMETERED, type FuelOptions } from "../metering/fuel-meter.js";
import { FUEL_EXPORT, METER_MODULE, REFUEL_IMPORT, START_EXPORT } from "../metering/metering-abi.js";
import type { ComponentBinding, GuestOutput } from "../namespaces/host-namespace.js";
import { COMPONENT_NAMESPACES } from "../namespaces/registry.js";
import type { NamespaceChanges, NamespacePorts } from "../protocol/sandbox-call.js";
import { classifyFailure, withFuel } from "./classify-failure.js";

type CoreInstantiate = (
  module: WebAssembly.Module,
  imports: WebAssembly.Imports,
) => Promise<WebAssembly.Instance>;

/** The module jco emits with `instantiation: "async"`. */
export interface ComponentGlue {
  instantiate(
    getCoreModule: (path: string) => WebAssembly.Module,
    imports: Record<string, unknown>,
    instantiateCore: CoreInstantiate,
  ): Promise<Record<string, unknown>>;
}

export interface ComponentRunOptions {
  memoryLimitBytes: number;
  /** Ports by namespace name. */
  ports: NamespacePorts;
  /** Absent: the modules must be unmetered (the benchmark's baseline). */
  fuel?: FuelOptions;
}

export interface ComponentOutcome {
  result: { ok: true; value: Uint8Array } | { ok: false; message: string };
  changes: NamespaceChanges;
  output: GuestOutput;
  fuel: number | null;
  /** Linear memory of every core instance at the end of the call. */
  memoryBytes: number;
}

const EMPTY_OUTPUT: GuestOutput = { stdout: new Uint8Array(0), stderr: new Uint8Array(0), droppedBytes: 0 };

export async function runComponent(
  glue: ComponentGlue,
  modules: Record<string, WebAssembly.Module>,
  input: Uint8Array,
  options: ComponentRunOptions,
): Promise<ComponentOutcome> {
  const meter = options.fuel ? new FuelMeter(options.fuel) : undefined;
  const memories: WebAssembly.Memory[] = [];
  const bindings = new Map<string, ComponentBinding<unknown>>();
  const imports: Record<string, Record<string, unknown>> = {};
  for (const namespace of COMPONENT_NAMESPACES) {
    const port = options.ports[namespace.name] ?? fail(`no port for ${namespace.name}`);
    const binding = namespace.component.bind(port, {
      meter: meter ?? UNMETERED,
      fuelUsed: () => meter?.used ?? 0,
    });
    bindings.set(namespace.name, binding);
    Object.assign(imports, binding.imports);
  }
  // Refuel never pauses a component: the glue calls into core modules from JS
  // frames (lowering results through cabi_realloc), where JSPI cannot suspend.
  meter?.enter(false);
  const instantiateCore: CoreInstantiate = async (module, given) => {
    let index = -1;
    const own: WebAssembly.Imports = { ...given };
    if (meter) own[METER_MODULE] = { [REFUEL_IMPORT]: () => meter.refuel(index) };
    const instance = await WebAssembly.instantiate(module, own);
    const { exports } = instance;
    if (meter) index = meter.attach(exports);
    else if (FUEL_EXPORT in exports) fail("a metered module needs a fuel budget");
    for (const value of Object.values(exports)) if (value instanceof WebAssembly.Memory) memories.push(value);
    const start = exports[START_EXPORT];
    if (typeof start === "function") (start as () => void)();
    return instance;
  };
  const memoryBytes = () => memories.reduce((sum, memory) => sum + memory.buffer.byteLength, 0);
  try {
    const getCoreModule = (path: string) =>
      modules[path] ?? fail(`the component's glue asked for a core module it does not have: ${path}`);
    const exports = await glue.instantiate(getCoreModule, imports, instantiateCore);
    const run = exports.run;
    if (typeof run !== "function") throw new EdgeError("CONTRACT_ABI", "the component does not export run");
    let result: ComponentOutcome["result"];
    try {
      const value: unknown = await (run as (input: Uint8Array) => unknown)(input);
      if (!(value instanceof Uint8Array)) fail("the component's run answered something other than bytes");
      result = { ok: true, value };
    } catch (error) {
      const message = guestErr(error);
      if (message === undefined) throw error;
      result = { ok: false, message };
    }
    const changes: NamespaceChanges = {};
    let output = EMPTY_OUTPUT;
    for (const [name, binding] of bindings) {
      const changed = await binding.finish();
      if (changed !== undefined) changes[name] = changed;
      output = binding.output?.() ?? output;
    }
    return { result, changes, output, fuel: meter ? meter.used : null, memoryBytes: memoryBytes() };
  } catch (error) {
    const largest = memories.toSorted((a, b) => b.buffer.byteLength - a.buffer.byteLength)[0];
    const guest = largest && new GuestMemory(largest, options.memoryLimitBytes);
    throw withFuel(classifyFailure(error, guest, meter), meter);
  }
}

/**
 * The `err` string of `run`: our glue is generated without error wrapping,
 * so it throws the payload itself. No host import lets a string escape (they
 * throw WASI codes only into results the glue catches), and traps and host
 * failures are Error objects.
 */
function guestErr(error: unknown): string | undefined {
  return typeof error === "string" ? error : undefined;
}

function fail(message: string): never {
  throw new EdgeError("INTERNAL", message);
}
