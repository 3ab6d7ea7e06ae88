// fbmu: fabric memory leases, byte arenas with a TTL that outlive a call.
// Sandbox half: src/guest-abi/fbmu/; DO half: the LeaseStore and the
// LeaseTarget, which commits every operation before it answers.
import { LeaseTarget } from "../contract/ports/lease-target.js";
import { bindFabric } from "../guest-abi/fbmu/fbmu-imports.js";
import { LEASE_ID_BYTES } from "../protocol/lease-info-codec.js";
import type { LeasePort } from "../protocol/lease-port.js";
import { LeaseStore } from "../store/leases/lease-store.js";
import { LeaseTables } from "../store/leases/lease-tables.js";
import type { HostNamespace, InstanceContext } from "./host-namespace.js";

/** After anything that moves an expiry or frees a lease: the alarm comes when reclaiming is due. */
export function leasesChanged(store: LeaseStore, instance: InstanceContext): void {
  const next = store.nextWake();
  if (next !== null) instance.wakeAt(Math.max(next * 1000, instance.clock.now()));
}

export const fbmu: HostNamespace<LeasePort, never, LeaseStore> = {
  name: "fbmu",
  catalog: {
    fbmu_hello: { params: [], results: ["i32"] },
    fbmu_get_arena_size: { params: [], results: ["i64"] },
    fbmu_read: { params: ["i64", "i32", "i32"], results: ["i32"] },
    fbmu_write: { params: ["i64", "i32", "i32"], results: ["i32"] },
    fbmu_alloc: { params: ["i64", "i64", "i32"], results: ["i32"] },
    fbmu_query: { params: ["i32", "i32"], results: ["i32"] },
    fbmu_renew: { params: ["i32", "i64"], results: ["i64"] },
    fbmu_free: { params: ["i32"], results: ["i32"] },
    fbmu_read_lease: { params: ["i32", "i64", "i32", "i32"], results: ["i32"] },
    fbmu_write_lease: { params: ["i32", "i64", "i32", "i32"], results: ["i32"] },
  },
  bind: bindFabric,
  host: {
    open: ({ sql, clock, settings }) =>
      new LeaseStore(new LeaseTables(sql), clock, {
        quotaBytes: settings.leaseQuotaBytes,
        maxLeaseBytes: settings.leaseMaxBytes,
        defaultArenaBytes: settings.fabricArenaBytes,
        graceSecs: settings.leaseGraceSecs,
        maxLeaseSecs: settings.leaseMaxSecs,
        randomId: () => crypto.getRandomValues(new Uint8Array(LEASE_ID_BYTES)),
      }),
    port: (store, instance) => new LeaseTarget(store, () => leasesChanged(store, instance)),
    collect: (store) => {
      const { nextWake } = store.reclaim();
      return nextWake === null ? null : nextWake * 1000;
    },
  },
};
