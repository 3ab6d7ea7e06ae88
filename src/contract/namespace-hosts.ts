// The DO halves of the host namespaces for one instance: each namespace's
// store opens on first use, a call gets the ports of the namespaces its
// module imports, and what the sandbox hands back commits through the
// namespace it belongs to. Iterates the registry; names none itself.
import type { HostNamespace, InstanceContext } from "../namespaces/host-namespace.js";
import { NAMESPACES, namespaceNamed } from "../namespaces/registry.js";
import type { NamespaceChanges, NamespacePorts } from "../protocol/sandbox-call.js";
import { EdgeError } from "../errors.js";

export class NamespaceHosts {
  readonly #instance: InstanceContext;
  readonly #stores = new Map<string, unknown>();

  constructor(instance: InstanceContext) {
    this.#instance = instance;
  }

  /** A namespace's store, opened (its tables created) on first use. */
  store<Store>(namespace: HostNamespace<unknown, unknown, Store>): Store {
    const host = namespace.host ?? fail(`${namespace.name} keeps no instance state`);
    if (!this.#stores.has(namespace.name)) this.#stores.set(namespace.name, host.open(this.#instance));
    return this.#stores.get(namespace.name) as Store;
  }

  /** Ports for one call of a module importing `names` (null: an instance from before the list was kept). */
  ports(names: readonly string[] | null): NamespacePorts {
    const ports: NamespacePorts = {};
    for (const namespace of names ? names.flatMap((name) => namespaceNamed(name) ?? []) : NAMESPACES) {
      if (namespace.host) ports[namespace.name] = namespace.host.port(this.store(namespace), this.#instance);
    }
    return ports;
  }

  /** Commits a call's changes; call inside the transaction that commits its outcome. Returns bytes written. */
  commit(changes: NamespaceChanges): number {
    let written = 0;
    for (const [name, changed] of Object.entries(changes)) {
      const namespace = namespaceNamed(name);
      const commit = namespace?.host?.commit ?? fail(`the sandbox returned changes for ${name}`);
      written += commit(this.store(namespace as HostNamespace), changed);
    }
    return written;
  }

  /** Every namespace's alarm work; returns the earliest time (unix ms) one has more, or null. */
  collect(): number | null {
    let next: number | null = null;
    for (const namespace of NAMESPACES) {
      const at = namespace.host?.collect?.(this.store(namespace));
      if (at !== undefined && at !== null) next = next === null ? at : Math.min(next, at);
    }
    return next;
  }
}

function fail(message: string): never {
  throw new EdgeError("INTERNAL", message);
}
