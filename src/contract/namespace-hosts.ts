// The DO halves of the host namespaces for one instance: each namespace's
// store opens on first use, a call gets the ports of the namespaces its
// module imports, and what the sandbox hands back commits through the
// namespace it belongs to. Iterates the registry; names none itself.
import type {
  HostNamespace,
  InstanceContext,
  NamespaceTxn,
  PortFrame,
} from "../namespaces/host-namespace.js";
import { NAMESPACES, namespaceNamed } from "../namespaces/registry.js";
import type { NamespaceChanges, NamespacePorts } from "../protocol/sandbox-call.js";
import { EdgeError } from "../errors.js";
import type { CallPath } from "../protocol/transaction.js";

type Txn = NamespaceTxn<unknown, unknown, unknown>;

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
  ports(names: readonly string[] | null, frame: PortFrame | null = null): NamespacePorts {
    const ports: NamespacePorts = {};
    for (const namespace of imported(names)) {
      const host = namespace.host;
      if (!host) continue;
      const store = this.store(namespace);
      ports[namespace.name] =
        frame && host.txn
          ? host.txn.port(store, this.#instance, frame.txid)
          : host.port(store, this.#instance, frame);
    }
    return ports;
  }

  /** Whether code importing `names` can take part in a transaction: every namespace it changes can stage. */
  transactional(names: readonly string[] | null): boolean {
    // Component namespaces do not count: a component is refused as a callee before this is asked.
    return imported(names).every(
      (namespace) => namespace.component !== undefined || !namespace.host?.commit || namespace.host.txn,
    );
  }

  /** Stages a frame's changes under (txid, path); call inside a SQL transaction. False: nothing to stage. */
  stage(txid: string, path: CallPath, changes: NamespaceChanges): boolean {
    let wrote = false;
    for (const [name, changed] of Object.entries(changes)) {
      const namespace = namespaceNamed(name);
      const txn = namespace?.host?.txn ?? fail(`${name} cannot stage changes under a transaction`);
      if (txn.stage(this.store(namespace as HostNamespace), txid, path, changed)) wrote = true;
    }
    return wrote;
  }

  /** Positions in each namespace's staged rows, for `changedSince`. */
  mark(names: readonly string[] | null): Record<string, number> {
    const marks: Record<string, number> = {};
    for (const [namespace, txn] of this.#txns(names)) marks[namespace.name] = txn.mark(this.store(namespace));
    return marks;
  }

  /** What frames staged after `marks` changed here, per namespace: a caller's refresh. */
  changedSince(
    names: readonly string[] | null,
    txid: string,
    marks: Record<string, number>,
  ): NamespaceChanges {
    const changed: NamespaceChanges = {};
    for (const [namespace, txn] of this.#txns(names)) {
      const since = txn.changedSince(this.store(namespace), txid, marks[namespace.name] ?? 0);
      if (since !== undefined) changed[namespace.name] = since;
    }
    return changed;
  }

  discard(names: readonly string[] | null, txid: string, prefixes: readonly CallPath[]): void {
    for (const [namespace, txn] of this.#txns(names)) txn.discard(this.store(namespace), txid, prefixes);
  }

  /** Commits what `txid` staged; call inside the SQL transaction of the decision. Returns bytes written. */
  applyStaged(names: readonly string[] | null, txid: string): number {
    let written = 0;
    for (const [namespace, txn] of this.#txns(names)) written += txn.apply(this.store(namespace), txid);
    return written;
  }

  dropStaged(names: readonly string[] | null, txid: string): void {
    for (const [namespace, txn] of this.#txns(names)) txn.drop(this.store(namespace), txid);
  }

  #txns(names: readonly string[] | null): Array<[HostNamespace, Txn]> {
    return imported(names).flatMap((namespace) =>
      namespace.host?.txn ? [[namespace, namespace.host.txn as Txn] as [HostNamespace, Txn]] : [],
    );
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

/** The namespaces a module imports (null: an instance from before the list was kept, so all). */
function imported(names: readonly string[] | null): readonly HostNamespace[] {
  return names ? names.flatMap((name) => namespaceNamed(name) ?? []) : NAMESPACES;
}

function fail(message: string): never {
  throw new EdgeError("INTERNAL", message);
}
