// A contract instance in one node process, built from the production modules:
// the namespace registry's DO halves (LinearStorageTables, LeaseStore over
// node:sqlite, the port targets) and its sandbox halves (bindStorage,
// bindFabric) joined by the real runner, with a clock the test moves.
// Ports answer synchronously here, so fbmu runs without JSPI; `remotePorts`
// makes them answer as workerd's RPC stubs do, to see a sandbox without JSPI.
import { readSettings, type Settings } from "../../../src/config.js";
import { NamespaceHosts } from "../../../src/contract/namespace-hosts.js";
import { bytesInput } from "../../../src/guest-abi/input-source.js";
import { edgeStorage } from "../../../src/namespaces/edge-storage.js";
import { namespacesImported } from "../../../src/namespaces/registry.js";
import { runContract, type RunOptions } from "../../../src/sandbox/contract-runner.js";
import type { NamespaceChanges, NamespacePorts } from "../../../src/protocol/sandbox-call.js";
import type { StoragePort } from "../../../src/protocol/storage-port.js";
import { nodeSql } from "./node-sql.js";
import { newHasher as nodeHasher } from "./hasher.js";

/** The id every node instance answers (node tests run one instance per NodeInstance). */
const NODE_INSTANCE_ID = new Uint8Array(32).fill(7);
export type InstanceOutcome =
  | { kind: "ok"; body: Uint8Array }
  | { kind: "error"; message: string }
  | { kind: "trap"; code: string; message: string };

/** Unix milliseconds the test sets (`clock.ms = …`) or advances (`clock.advance(secs)`). */
export class TestClock {
  ms = 1_700_000_000_000;
  now(): number {
    return this.ms;
  }
  advance(secs: number): void {
    this.ms += secs * 1000;
  }
}

export interface NodeInstanceOptions {
  settings?: Partial<Settings>;
  memoryLimitBytes?: number;
  fuel?: RunOptions["fuel"];
  /** Sees every batch of linear-storage frames a call loads from the instance (to count loads). */
  onFrameLoad?: (indices: readonly number[]) => void;
  /**
   * Every port answers with a promise and is not local, as workerd's RPC stubs
   * are: what a sandbox without JSPI (PAGE_MODE=prefetch) sees of the instance.
   */
  remotePorts?: boolean;
}

export interface RunCallOptions {
  /** Namespaces whose port is withheld for this call: the guest runs disconnected from them. */
  without?: readonly string[];
}

export class NodeInstance {
  readonly sql = nodeSql();
  readonly clock = new TestClock();
  readonly settings: Settings;
  readonly hosts: NamespaceHosts;
  readonly memoryLimitBytes: number;
  /** The earliest alarm a namespace asked for (unix ms), as the DO would arm it. */
  alarmAt: number | null = null;
  /** What the last run handed back for commit (committed only if it returned RUN_OK; empty after a trap). */
  lastChanges: NamespaceChanges = {};
  readonly #fuel: RunOptions["fuel"];
  readonly #onFrameLoad: NodeInstanceOptions["onFrameLoad"];
  readonly #remotePorts: boolean;

  constructor(options: NodeInstanceOptions = {}) {
    this.settings = { ...readSettings({}), ...options.settings };
    this.memoryLimitBytes = options.memoryLimitBytes ?? this.settings.guestMemoryBytes;
    this.#fuel = options.fuel;
    this.#onFrameLoad = options.onFrameLoad;
    this.#remotePorts = options.remotePorts ?? false;
    this.hosts = new NamespaceHosts({
      sql: this.sql,
      clock: this.clock,
      settings: this.settings,
      wakeAt: (ms) => {
        if (this.alarmAt === null || ms < this.alarmAt) this.alarmAt = ms;
      },
      identity: () => ({ id: NODE_INSTANCE_ID, parameters: new Uint8Array(0) }),
      newHasher: nodeHasher,
    });
  }

  /** The module's `run(input)`, with the ports of the namespaces it imports; commits on RUN_OK, as the DO does. */
  async run(
    module: WebAssembly.Module,
    input: Uint8Array,
    options: RunCallOptions = {},
  ): Promise<InstanceOutcome> {
    // A trap hands nothing back: what a previous call changed must not read as this one's.
    this.lastChanges = {};
    const ports = this.#ports(module, options.without ?? []);
    let outcome;
    try {
      outcome = await runContract(
        module,
        { op: "run", input: bytesInput(input) },
        {
          jspi: false,
          localPorts: !this.#remotePorts,
          memoryLimitBytes: this.memoryLimitBytes,
          ports,
          ...(this.#fuel ? { fuel: this.#fuel } : {}),
        },
      );
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && code !== "INTERNAL") {
        return { kind: "trap", code, message: (error as Error).message };
      }
      throw error;
    }
    this.lastChanges = outcome.changes;
    if (outcome.value.op !== "run") throw new Error("run answered another op");
    const result = outcome.value.result;
    if (!result.ok) return { kind: "error", message: result.message };
    this.sql.transaction(() => this.hosts.commit(outcome.changes));
    return { kind: "ok", body: result.value.slice() };
  }

  /** The alarm's work, as the DO runs it. */
  alarm(): void {
    this.alarmAt = this.hosts.collect();
  }

  #ports(module: WebAssembly.Module, without: readonly string[]): NamespacePorts {
    const names = namespacesImported(WebAssembly.Module.imports(module)).filter(
      (name) => !without.includes(name),
    );
    const ports = this.hosts.ports(names);
    const storage = ports[edgeStorage.name] as StoragePort | undefined;
    const observe = this.#onFrameLoad;
    if (storage && observe) {
      // Wraps the real target: the loads still come from the instance's frame tables.
      const frames = storage.frames;
      ports[edgeStorage.name] = {
        ...storage,
        frames: { read: (indices: number[]) => (observe(indices), frames.read(indices)) },
      } satisfies StoragePort;
    }
    if (!this.#remotePorts) return ports;
    return Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, overRpc(port)]));
  }
}

/** A port as a sandbox holds it across RPC: plain data as is, every method answering with a promise. */
function overRpc<T>(port: T): T {
  if (typeof port !== "object" || port === null) return port;
  return new Proxy(port, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value === "function") {
        return (...args: unknown[]) => Promise.resolve().then(() => value.apply(target, args) as unknown);
      }
      return overRpc(value);
    },
  });
}
