// What every instance keeps in its Durable Object besides its namespaces'
// state (src/contract/namespace-hosts.ts opens those): the record and the
// state versions. A DO that is not an instance never gets here:
// `hasInstanceSchema` only reads the schema catalog, so a read on an unknown
// id creates and writes nothing, and the tables are created with the instance.
import type { Clock } from "../../clock.js";
import type { Settings } from "../../config.js";
import type { StateDigestFactory } from "../../hashing/state-digest.js";
import type { SqlPort } from "../sql/sql-port.js";
import { StateStore } from "../state/state-store.js";
import { StateTables } from "../state/state-tables.js";
import { InstanceTable } from "./instance-record.js";

export interface InstanceStores {
  instance: InstanceTable;
  state: StateStore;
}

export interface StoreHooks {
  clock: Clock;
  /** The state hash (SHA-256, src/hashing/state-digest.ts). */
  newStateDigest: StateDigestFactory;
  /** The state store wants its replaced versions collected (the DO arms its alarm). */
  scheduleCollection(): void;
}

/** Whether this object was ever made an instance (reads sqlite_master only). */
export function hasInstanceSchema(sql: SqlPort): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'instance'").length > 0;
}

/** Opens (creating any missing table) the stores, and recovers an upload a crash left behind. */
export function openInstanceStores(sql: SqlPort, settings: Settings, hooks: StoreHooks): InstanceStores {
  const stores = {
    instance: new InstanceTable(sql),
    state: new StateStore(new StateTables(sql), hooks.clock, hooks.newStateDigest, {
      ...settings,
      scheduleCollection: hooks.scheduleCollection,
    }),
  };
  stores.state.recover();
  return stores;
}
