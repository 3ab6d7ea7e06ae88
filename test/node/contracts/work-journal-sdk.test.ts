// The SDK's fabric wrappers (contracts/sdk/assembly/fabric.ts: FabricMem,
// MemBuilder, MemLease) through a probe entry on the production fbmu host (a
// NodeInstance): what each call returns, and MemBuilder.lastStatus after
// each failure.
import { beforeAll, describe, expect, it } from "vitest";
import { fbmu } from "../../../src/namespaces/fbmu.js";
import { HostStatus } from "../../../src/protocol/host-status.js";
import { LeaseTables } from "../../../src/store/leases/lease-tables.js";
import { concat, compileEntry } from "../support/contracts.js";
import { LeaseState } from "../../support/conformance/lease-state.js";
import { NodeInstance, type InstanceOutcome } from "../support/node-instance.js";

let probe: WebAssembly.Module;

beforeAll(async () => {
  probe = await compileEntry("contracts/examples/work-journal/assembly/probe/fabric-probe.ts");
}, 60_000);

function reader(outcome: InstanceOutcome, from = 0) {
  if (outcome.kind !== "ok") throw new Error(`expected RUN_OK, got ${outcome.kind}: ${outcome.message}`);
  const body = outcome.body;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = from;
  return {
    next: () => ((at += 8), Number(view.getBigInt64(at - 8, true))),
    done: () => expect(at).toBe(body.length),
  };
}

const nowSecs = (instance: NodeInstance) => Math.floor(instance.clock.now() / 1000);

describe("SDK fabric memory on the production host", () => {
  it("uses the default arena, refuses bad acquisitions and walks one lease's life", async () => {
    const instance = new NodeInstance();
    const leases = instance.hosts.store(fbmu);
    const now = nowSecs(instance);
    const outcome = await instance.run(probe, new Uint8Array([1]));
    const r = reader(outcome, 16);
    // Default arena.
    expect(r.next()).toBe(HostStatus.OK); // hello
    expect(r.next()).toBe(16 << 20); // the default FABRIC_ARENA_BYTES
    expect([r.next(), r.next(), r.next()]).toEqual([8, 8, 1]);
    expect(r.next()).toBe(HostStatus.OUT_OF_BOUNDS);
    expect(leases.read(null, 100, 8)).toEqual(
      new Uint8Array([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7]),
    );
    // acquire: min_bytes 0, 1 TiB, lease_secs 0.
    expect([r.next(), r.next()]).toEqual([1, HostStatus.INVALID_ARGUMENT]);
    expect([r.next(), r.next()]).toEqual([1, HostStatus.CAPACITY_EXCEEDED]);
    expect([r.next(), r.next()]).toEqual([1, HostStatus.INVALID_ARGUMENT]);
    // The lease: rounded up to 64 KiB, 10 seconds.
    expect(r.next()).toBe(HostStatus.OK);
    expect([r.next(), r.next(), r.next()]).toEqual([65_536, now + 10, LeaseState.Active]);
    expect(r.next()).toBe(HostStatus.OUT_OF_BOUNDS); // write across the arena's end
    expect([r.next(), r.next(), r.next()]).toEqual([8, 8, 1]);
    expect([r.next(), r.next()]).toEqual([8, 0]); // unwritten bytes read as zero
    expect([r.next(), r.next(), r.next()]).toEqual([HostStatus.INVALID_ARGUMENT, now + 100, now + 100]); // renew 0, 100, 5
    expect([r.next(), r.next()]).toEqual([1, now + 100]); // attach by id sees the renewal
    expect([r.next(), r.next()]).toEqual([1, HostStatus.NOT_FOUND]); // attach of an unknown id
    expect([r.next(), r.next(), r.next()]).toEqual([HostStatus.OK, HostStatus.REVOKED, LeaseState.Revoked]);
    expect([r.next(), r.next()]).toEqual([1, HostStatus.REVOKED]); // attach of a freed lease
    expect([r.next(), r.next()]).toEqual([HostStatus.REVOKED, HostStatus.REVOKED]); // read, renew
    expect(r.next()).toBe(LeaseState.Revoked); // FabricMem.query
    r.done();

    // The write landed in the instance (durable), with the id the response starts with;
    // a freed lease's frames stay until the alarm reclaims them.
    if (outcome.kind !== "ok") throw new Error("unreachable");
    const id = outcome.body.subarray(0, 16);
    expect(leases.get(id).status).toBe("revoked");
    expect(new LeaseTables(instance.sql).frame(id, 0)?.subarray(65_528)).toEqual(
      new Uint8Array([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7]),
    );
  });

  it("refuses a lease over the instance quota", async () => {
    const instance = new NodeInstance({ settings: { leaseMaxBytes: 16 << 20, leaseQuotaBytes: 64 << 20 } });
    const tables = new LeaseTables(instance.sql);
    const r = reader(await instance.run(probe, new Uint8Array([2])));
    expect([r.next(), r.next()]).toEqual([4, HostStatus.CAPACITY_EXCEEDED]);
    r.done();
    expect(tables.heldBytes()).toBe(64 << 20);
    // Expired leases still count until the alarm reclaims them, LEASE_GRACE_SECS
    // after they expired (production's LeaseTables.heldBytes counts every
    // unreclaimed lease; the old in-memory host freed the quota at expiry).
    instance.clock.advance(60);
    const expired = reader(await instance.run(probe, new Uint8Array([2])));
    expect([expired.next(), expired.next()]).toEqual([0, HostStatus.CAPACITY_EXCEEDED]);
    instance.clock.advance(instance.settings.leaseGraceSecs);
    instance.alarm();
    expect(tables.heldBytes()).toBe(0);
    const again = reader(await instance.run(probe, new Uint8Array([2])));
    expect([again.next(), again.next()]).toEqual([4, HostStatus.CAPACITY_EXCEEDED]);
  });

  it("answers LEASE_EXPIRED for every call on an expired lease but query", async () => {
    const instance = new NodeInstance();
    const first = await instance.run(probe, new Uint8Array([2]));
    expect(first.kind).toBe("ok");
    const lease = instance.hosts.store(fbmu).list()[0]!;
    instance.clock.ms = lease.expiresAt * 1000;
    const r = reader(await instance.run(probe, concat(new Uint8Array([3]), lease.id)));
    expect([r.next(), r.next()]).toEqual([1, HostStatus.LEASE_EXPIRED]); // attach
    expect([r.next(), r.next(), r.next()]).toEqual([HostStatus.OK, LeaseState.Expired, lease.expiresAt]); // info
    expect([r.next(), r.next(), r.next()]).toEqual([
      HostStatus.LEASE_EXPIRED, // write
      HostStatus.LEASE_EXPIRED, // renew
      HostStatus.LEASE_EXPIRED, // free
    ]);
    r.done();
  });

  it("answers DISCONNECTED when the fabric is unreachable", async () => {
    const instance = new NodeInstance();
    // No fbmu port for the call: the sandbox half binds every import to DISCONNECTED.
    const outcome = await instance.run(probe, new Uint8Array([2]), { without: [fbmu.name] });
    const r = reader(outcome);
    expect([r.next(), r.next()]).toEqual([0, HostStatus.DISCONNECTED]);
    expect(instance.hosts.store(fbmu).list()).toEqual([]);
  });
});
