// The SDK's fabric wrappers (contracts/sdk/assembly/fabric.ts: FabricMem,
// MemBuilder, MemLease) through a probe entry on the in-memory fbmu host:
// what each call returns, and MemBuilder.lastStatus after each failure.
import { beforeAll, describe, expect, it } from "vitest";
import { HostStatus } from "../../../src/protocol/host-status.js";
import { concat, compileEntry } from "../support/contracts.js";
import { FbmuHost, LeaseState, type FbmuOutcome } from "../support/fbmu-host.js";

let probe: WebAssembly.Module;

beforeAll(async () => {
  probe = await compileEntry("contracts/examples/work-journal/assembly/probe/fabric-probe.ts");
}, 60_000);

function reader(outcome: FbmuOutcome, from = 0) {
  if (outcome.kind !== "ok") throw new Error(`expected RUN_OK, got ${outcome.kind}: ${outcome.message}`);
  const body = outcome.body;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = from;
  return {
    next: () => ((at += 8), Number(view.getBigInt64(at - 8, true))),
    done: () => expect(at).toBe(body.length),
  };
}

describe("SDK fabric memory on the test host", () => {
  it("uses the default arena, refuses bad acquisitions and walks one lease's life", async () => {
    const host = new FbmuHost({ now: 2000 });
    const outcome = await host.run(probe, new Uint8Array([1]));
    const r = reader(outcome, 16);
    // Default arena.
    expect(r.next()).toBe(HostStatus.OK); // hello
    expect(r.next()).toBe(65_536);
    expect([r.next(), r.next(), r.next()]).toEqual([8, 8, 1]);
    expect(r.next()).toBe(HostStatus.OUT_OF_BOUNDS);
    expect(host.defaultArena.subarray(100, 108)).toEqual(
      new Uint8Array([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7]),
    );
    // acquire: min_bytes 0, 1 TiB, lease_secs 0.
    expect([r.next(), r.next()]).toEqual([1, HostStatus.INVALID_ARGUMENT]);
    expect([r.next(), r.next()]).toEqual([1, HostStatus.CAPACITY_EXCEEDED]);
    expect([r.next(), r.next()]).toEqual([1, HostStatus.INVALID_ARGUMENT]);
    // The lease: rounded up to 64 KiB, 10 seconds.
    expect(r.next()).toBe(HostStatus.OK);
    expect([r.next(), r.next(), r.next()]).toEqual([65_536, 2010, LeaseState.Active]);
    expect(r.next()).toBe(HostStatus.OUT_OF_BOUNDS); // write across the arena's end
    expect([r.next(), r.next(), r.next()]).toEqual([8, 8, 1]);
    expect([r.next(), r.next()]).toEqual([8, 0]); // unwritten bytes read as zero
    expect([r.next(), r.next(), r.next()]).toEqual([HostStatus.INVALID_ARGUMENT, 2100, 2100]); // renew 0, 100, 5
    expect([r.next(), r.next()]).toEqual([1, 2100]); // attach by id sees the renewal
    expect([r.next(), r.next()]).toEqual([1, HostStatus.NOT_FOUND]); // attach of an unknown id
    expect([r.next(), r.next(), r.next()]).toEqual([HostStatus.OK, HostStatus.REVOKED, LeaseState.Revoked]);
    expect([r.next(), r.next()]).toEqual([1, HostStatus.REVOKED]); // attach of a freed lease
    expect([r.next(), r.next()]).toEqual([HostStatus.REVOKED, HostStatus.REVOKED]); // read, renew
    expect(r.next()).toBe(LeaseState.Revoked); // FabricMem.query
    r.done();

    // The write landed in the host (durable), with the id the response starts with.
    if (outcome.kind !== "ok") throw new Error("unreachable");
    const lease = host.lease(outcome.body.subarray(0, 16))!;
    expect(lease.revoked).toBe(true);
    expect(lease.bytes.subarray(65_528)).toEqual(
      new Uint8Array([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7]),
    );
  });

  it("refuses a lease over the instance quota", async () => {
    const host = new FbmuHost({ maxLeaseBytes: 16 << 20, quotaBytes: 64 << 20 });
    const r = reader(await host.run(probe, new Uint8Array([2])));
    expect([r.next(), r.next()]).toEqual([4, HostStatus.CAPACITY_EXCEEDED]);
    r.done();
    expect(host.heldBytes()).toBe(64 << 20);
    // Expired leases no longer count.
    host.now += 60;
    const again = reader(await host.run(probe, new Uint8Array([2])));
    expect([again.next(), again.next()]).toEqual([4, HostStatus.CAPACITY_EXCEEDED]);
  });

  it("answers LEASE_EXPIRED for every call on an expired lease but query", async () => {
    const host = new FbmuHost({ now: 100 });
    const first = await host.run(probe, new Uint8Array([2]));
    expect(first.kind).toBe("ok");
    const lease = [...host.leases.values()][0]!;
    host.now = lease.expiresAt;
    const r = reader(await host.run(probe, concat(new Uint8Array([3]), lease.id)));
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
    const host = new FbmuHost();
    host.connected = false;
    const outcome = await host.run(probe, new Uint8Array([2]));
    const r = reader(outcome);
    expect([r.next(), r.next()]).toEqual([0, HostStatus.DISCONNECTED]);
  });
});
