// Everything an instance keeps in its Durable Object, opened together. A DO
// that is not an instance never gets here: `hasInstanceSchema` only reads the
// schema catalog, so a read on an unknown id creates and writes nothing, and
// the tables are created when the instance is.
import type { Clock } from "../../clock.js";
import type { Settings } from "../../config.js";
import type { HasherFactory } from "../../hashing/blake3.js";
import { LEASE_ID_BYTES, LeaseStore } from "../leases/lease-store.js";
import { LeaseTables } from "../leases/lease-tables.js";
import type { SqlPort } from "../sql/sql-port.js";
import { StateStore } from "../state/state-store.js";
import { StateTables } from "../state/state-tables.js";
import { LinearStorageTables } from "../linear-storage/linear-storage-tables.js";
import { InstanceTable } from "./instance-record.js";

export interface InstanceStores {
  instance: InstanceTable;
  state: StateStore;
  storage: LinearStorageTables;
  leases: LeaseStore;
}

export interface StoreHooks {
  clock: Clock;
  newHasher: HasherFactory;
  /** The state store wants its replaced versions collected (the DO arms its alarm). */
  scheduleCollection(): void;
}

/** Whether this object was ever made an instance (reads sqlite_master only). */
export function hasInstanceSchema(sql: SqlPort): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'instance'").length > 0;
}

/** Opens (creating any missing table) every store, and recovers an upload a crash left behind. */
export function openInstanceStores(sql: SqlPort, settings: Settings, hooks: StoreHooks): InstanceStores {
  const stores = {
    instance: new InstanceTable(sql),
    storage: new LinearStorageTables(sql),
    leases: new LeaseStore(new LeaseTables(sql), hooks.clock, {
      quotaBytes: settings.leaseQuotaBytes,
      maxLeaseBytes: settings.leaseMaxBytes,
      defaultArenaBytes: settings.fabricArenaBytes,
      graceSecs: settings.leaseGraceSecs,
      maxLeaseSecs: settings.leaseMaxSecs,
      randomId: () => crypto.getRandomValues(new Uint8Array(LEASE_ID_BYTES)),
    }),
    state: new StateStore(new StateTables(sql), hooks.clock, hooks.newHasher, {
      ...settings,
      scheduleCollection: hooks.scheduleCollection,
    }),
  };
  stores.state.recover();
  return stores;
}
