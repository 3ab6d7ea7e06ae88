// Everything an instance's Durable Object works with, opened together: its
// record and state versions (src/store/instance/instance-stores.ts) and the
// DO halves of its namespaces, all on one SQL port and one clock.
import type { Clock } from "../clock.js";
import type { Settings } from "../config.js";
import { newHasher } from "../hashing/blake3-module.js";
import { newStateDigest } from "../hashing/state-digest.js";
import type { InstanceContext } from "../namespaces/host-namespace.js";
import { openInstanceStores, type InstanceStores } from "../store/instance/instance-stores.js";
import type { SqlPort } from "../store/sql/sql-port.js";
import { NamespaceHosts } from "./namespace-hosts.js";
import { EdgeError } from "../errors.js";
import { parseId } from "../identity/ids.js";

export interface OpenInstance extends InstanceStores {
  hosts: NamespaceHosts;
  context: InstanceContext;
}

export function openInstance(
  sql: SqlPort,
  settings: Settings,
  clock: Clock,
  wakeAt: (ms: number) => void,
): OpenInstance {
  const context: InstanceContext = {
    sql,
    clock,
    settings,
    wakeAt,
    newHasher,
    identity: () => {
      const record = stores.instance.get() ?? fail();
      return { id: parseId(record.id), parameters: record.parameters };
    },
  };
  const stores = openInstanceStores(sql, settings, {
    clock,
    newStateDigest,
    scheduleCollection: () => wakeAt(clock.now()),
  });
  return { ...stores, hosts: new NamespaceHosts(context), context };
}

function fail(): never {
  throw new EdgeError("CONTRACT_NOT_FOUND", "no contract instance with this id");
}
