// The work-journal example (contracts/examples/work-journal): a journal kept in
// a fabric memory lease, driven through `run` on the production fbmu host (a
// NodeInstance: LeaseStore over node:sqlite, the LeaseTarget, the real
// imports). Lease writes are durable, so a run that traps leaves the journal
// at its last step and a resume finishes with the accumulator an
// uninterrupted run gets.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { HostStatus } from "../../../src/protocol/host-status.js";
import { checkContractAbi } from "../../../src/code/contract-abi-check.js";
import { parseWasmModule } from "../../../src/code/wasm-sections.js";
import { fbmu } from "../../../src/namespaces/fbmu.js";
import { LeaseTables } from "../../../src/store/leases/lease-tables.js";
import { MEMORY_LIMIT, concat, contractBytes } from "../support/contracts.js";
import { LeaseState } from "../../support/conformance/lease-state.js";
import { NodeInstance, type InstanceOutcome } from "../support/node-instance.js";

let journal: WebAssembly.Module;

beforeAll(async () => {
  journal = new WebAssembly.Module(await contractBytes("work-journal"));
}, 60_000);

// ---- protocol (see contracts/examples/work-journal/README.md) ----

const u32s = (...values: number[]) => {
  const out = new Uint8Array(values.length * 4);
  values.forEach((value, i) => new DataView(out.buffer).setUint32(i * 4, value, true));
  return out;
};
const startBody = (steps: number, leaseSecs: number, crashAfter = 0) =>
  concat(new Uint8Array([1]), u32s(steps, leaseSecs, crashAfter));
const resumeBody = (id: Uint8Array, steps: number, crashAfter = 0) =>
  concat(new Uint8Array([2]), id, u32s(steps, crashAfter));
const statusBody = (id: Uint8Array) => concat(new Uint8Array([3]), id);
const freeBody = (id: Uint8Array) => concat(new Uint8Array([4]), id);

const MASK = (1n << 64n) - 1n;
const ACC_START = 0xcbf29ce484222325n;
const MAGIC = 0x4c4e524a;

/** Step i's value: splitmix64's finaliser of i + 1. */
function stepValue(i: number): bigint {
  let z = ((BigInt(i) + 1n) * 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

/** The accumulator after `steps` steps (FNV-1a over the 64-bit step values). */
function expectedAcc(steps: number): bigint {
  let acc = ACC_START;
  for (let i = 0; i < steps; i++) acc = ((acc ^ stepValue(i)) * 0x100000001b3n) & MASK;
  return acc;
}

function ok(outcome: InstanceOutcome): Uint8Array {
  if (outcome.kind !== "ok") throw new Error(`expected RUN_OK, got ${outcome.kind}: ${outcome.message}`);
  return outcome.body;
}

function errorOf(outcome: InstanceOutcome): string {
  if (outcome.kind !== "error") throw new Error(`expected RUN_ERROR, got ${outcome.kind}`);
  return outcome.message;
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function progress(body: Uint8Array) {
  expect(body.length).toBe(28);
  return {
    id: body.slice(0, 16),
    steps: view(body).getUint32(16, true),
    acc: view(body).getBigUint64(20, true),
  };
}

async function start(instance: NodeInstance, steps: number, leaseSecs = 60, crashAfter = 0) {
  return progress(ok(await instance.run(journal, startBody(steps, leaseSecs, crashAfter))));
}

async function status(instance: NodeInstance, id: Uint8Array) {
  const body = ok(await instance.run(journal, statusBody(id)));
  expect(body.length).toBe(13);
  return { status: body[0], steps: view(body).getUint32(1, true), acc: view(body).getBigUint64(5, true) };
}

async function free(instance: NodeInstance, id: Uint8Array): Promise<number> {
  const body = ok(await instance.run(journal, freeBody(id)));
  expect(body.length).toBe(4);
  return view(body).getInt32(0, true);
}

const leasesOf = (instance: NodeInstance) => instance.hosts.store(fbmu);

/** A lease's whole arena as the instance holds it (an Active lease: the store reads only those). */
function arena(instance: NodeInstance, id: Uint8Array): Uint8Array {
  return leasesOf(instance).read(id, 0, leasesOf(instance).get(id).arenaSize);
}

/**
 * The journal header as the instance stores it, read from the lease's first
 * frame: that works whatever the lease's status, until the alarm reclaims it.
 */
function header(instance: NodeInstance, id: Uint8Array) {
  const bytes = new LeaseTables(instance.sql).frame(id, 0) ?? new Uint8Array(16);
  return {
    magic: view(bytes).getUint32(0, true),
    steps: view(bytes).getUint32(4, true),
    acc: view(bytes).getBigUint64(8, true),
  };
}

function onlyLease(instance: NodeInstance): Uint8Array {
  const leases = leasesOf(instance).list();
  expect(leases).toHaveLength(1);
  return leases[0]!.id;
}

/** The instance's clock in unix seconds, as leases count time. */
const nowSecs = (instance: NodeInstance) => Math.floor(instance.clock.now() / 1000);

describe("work-journal", () => {
  it("imports only fbmu and the input buffer, exports the run entry and passes the upload checks", async () => {
    expect(checkContractAbi(parseWasmModule(await contractBytes("work-journal")), MEMORY_LIMIT)).toBe("run");
    expect(
      WebAssembly.Module.exports(journal)
        .map((entry) => entry.name)
        .toSorted(),
    ).toEqual(["__frnt__initiate_buffer", "__frnt_set_id", "memory", "run"]);
    const imports = WebAssembly.Module.imports(journal);
    expect(new Set(imports.map((entry) => entry.module))).toEqual(new Set(["fbmu", "freenet_contract_io"]));
    expect(imports.every((entry) => entry.kind === "function")).toBe(true);
  });

  it("starts a lease, runs every step and journals each one", async () => {
    const instance = new NodeInstance();
    const startedAt = nowSecs(instance);
    const result = await start(instance, 100, 60);
    expect(result.steps).toBe(100);
    expect(result.acc).toBe(expectedAcc(100));
    const lease = leasesOf(instance).get(result.id);
    expect(lease.status).toBe("active");
    expect(lease.arenaSize).toBe(64 * 1024);
    expect(lease.expiresAt).toBe(startedAt + 60);
    expect(header(instance, result.id)).toEqual({ magic: MAGIC, steps: 100, acc: expectedAcc(100) });
    const bytes = arena(instance, result.id);
    for (const i of [0, 1, 50, 99]) {
      expect(view(bytes).getUint32(16 + i * 12, true)).toBe(i);
      expect(view(bytes).getBigUint64(20 + i * 12, true)).toBe(stepValue(i));
    }
    expect(bytes.subarray(16 + 100 * 12).every((byte) => byte === 0)).toBe(true);
    expect(await status(instance, result.id)).toEqual({
      status: LeaseState.Active,
      steps: 100,
      acc: expectedAcc(100),
    });
  });

  it("answers steps 0 with an empty journal, and sizes the lease for long journals", async () => {
    const instance = new NodeInstance();
    const empty = await start(instance, 0);
    expect(empty).toMatchObject({ steps: 0, acc: ACC_START });
    const long = await start(instance, 10_000);
    expect(long.acc).toBe(expectedAcc(10_000));
    expect(leasesOf(instance).get(long.id).arenaSize).toBe(2 * 64 * 1024); // 16 + 120,000 bytes
    // A long journal is many guest calls: generous for a loaded CI machine, never a speed target.
  }, 60_000);

  it("keeps the journal of a run that traps, and a resume ends where an uninterrupted run does", async () => {
    const instance = new NodeInstance();
    const outcome = await instance.run(journal, startBody(100, 60, 40));
    expect(outcome).toMatchObject({ kind: "trap", code: "CONTRACT_TRAP" });
    const id = onlyLease(instance);
    expect(header(instance, id)).toEqual({ magic: MAGIC, steps: 40, acc: expectedAcc(40) });
    const bytes = arena(instance, id);
    expect(view(bytes).getUint32(16 + 39 * 12, true)).toBe(39);
    expect(bytes.subarray(16 + 40 * 12, 16 + 41 * 12).every((byte) => byte === 0)).toBe(true);
    expect(await status(instance, id)).toEqual({
      status: LeaseState.Active,
      steps: 40,
      acc: expectedAcc(40),
    });

    // Crash again on the way, then finish.
    expect((await instance.run(journal, resumeBody(id, 100, 70))).kind).toBe("trap");
    expect(header(instance, id).steps).toBe(70);
    const resumed = progress(ok(await instance.run(journal, resumeBody(id, 100))));
    expect(resumed).toEqual({ id, steps: 100, acc: expectedAcc(100) });

    const straight = new NodeInstance();
    const uninterrupted = await start(straight, 100);
    expect(resumed.acc).toBe(uninterrupted.acc);
    expect(arena(instance, id)).toEqual(arena(straight, uninterrupted.id));
  });

  it("resumes to the same accumulator whatever the crash points", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 4 }),
        async (steps, crashes) => {
          const instance = new NodeInstance();
          const first = await instance.run(journal, startBody(steps, 60, crashes[0] ?? 0));
          const id = onlyLease(instance);
          expect(first.kind).toBe((crashes[0] ?? 0) >= 1 && crashes[0]! <= steps ? "trap" : "ok");
          for (const crash of crashes.slice(1)) {
            const done = header(instance, id).steps;
            const outcome = await instance.run(journal, resumeBody(id, steps, crash));
            expect(outcome.kind).toBe(crash > done && crash <= steps ? "trap" : "ok");
          }
          const final = progress(ok(await instance.run(journal, resumeBody(id, steps))));
          expect(final).toEqual({ id, steps, acc: expectedAcc(steps) });
        },
      ),
      { numRuns: 25 },
    );
  }, 60_000);

  it("refuses to resume an expired lease, and reports it as Expired", async () => {
    const instance = new NodeInstance();
    const outcome = await instance.run(journal, startBody(20, 30, 10));
    expect(outcome.kind).toBe("trap");
    const id = onlyLease(instance);
    instance.clock.advance(29); // one second left
    expect((await status(instance, id)).status).toBe(LeaseState.Active);
    instance.clock.advance(1);
    const message = errorOf(await instance.run(journal, resumeBody(id, 20)));
    expect(message).toBe("cannot attach the lease: LEASE_EXPIRED (-9)");
    expect(message.toLowerCase()).toContain("expired");
    // The tombstone answers the query; its bytes are no longer readable.
    expect(await status(instance, id)).toEqual({ status: LeaseState.Expired, steps: 0, acc: 0n });
    expect(header(instance, id).steps).toBe(10); // still in the instance, untouched
    expect(await free(instance, id)).toBe(HostStatus.LEASE_EXPIRED);
    // The production host keeps the frames for LEASE_GRACE_SECS; then the alarm
    // reclaims them and the row stays, so the query still says Expired.
    instance.clock.advance(instance.settings.leaseGraceSecs);
    instance.alarm();
    expect(new LeaseTables(instance.sql).frame(id, 0)).toBeNull();
    expect(await status(instance, id)).toEqual({ status: LeaseState.Expired, steps: 0, acc: 0n });
  });

  it("frees a lease: status then says Revoked, and it can be neither freed again nor resumed", async () => {
    const instance = new NodeInstance();
    const { id } = await start(instance, 5);
    expect(await free(instance, id)).toBe(HostStatus.OK);
    expect(await status(instance, id)).toEqual({ status: LeaseState.Revoked, steps: 0, acc: 0n });
    expect(await free(instance, id)).toBe(HostStatus.REVOKED);
    expect(errorOf(await instance.run(journal, resumeBody(id, 10)))).toBe(
      "cannot attach the lease: REVOKED (-10)",
    );
    // The quota counts a freed lease until the alarm reclaims it (production's
    // LeaseTables.heldBytes counts every unreclaimed lease; the old in-memory
    // host dropped it at once). Freeing armed the alarm for now.
    const tables = new LeaseTables(instance.sql);
    expect(tables.heldBytes()).toBe(64 * 1024);
    expect(instance.alarmAt).toBe(instance.clock.now());
    instance.alarm();
    expect(tables.heldBytes()).toBe(0);
  });

  it("reports unknown leases, refused acquisitions and bad requests", async () => {
    const instance = new NodeInstance();
    const unknown = new Uint8Array(16).fill(7);
    expect(errorOf(await instance.run(journal, statusBody(unknown)))).toBe(
      "fbmu_query failed: NOT_FOUND (-11)",
    );
    expect(errorOf(await instance.run(journal, resumeBody(unknown, 1)))).toBe(
      "cannot attach the lease: NOT_FOUND (-11)",
    );
    expect(await free(instance, unknown)).toBe(HostStatus.NOT_FOUND);
    expect(errorOf(await instance.run(journal, startBody(10, 0)))).toBe(
      "fbmu_alloc failed: INVALID_ARGUMENT (-1)",
    );
    expect(errorOf(await instance.run(journal, startBody(0xffff_ffff, 60)))).toBe(
      "fbmu_alloc failed: CAPACITY_EXCEEDED (-8)",
    );
    expect(leasesOf(instance).list()).toHaveLength(0);

    const { id } = await start(instance, 10); // a 64 KiB lease holds 5,460 steps
    expect(errorOf(await instance.run(journal, resumeBody(id, 5461)))).toBe(
      "journal full: 5461 steps need 65548 bytes, the lease has 65536",
    );
    expect(progress(ok(await instance.run(journal, resumeBody(id, 5460)))).acc).toBe(expectedAcc(5460));
    // Asking for fewer steps than are done changes nothing.
    expect(progress(ok(await instance.run(journal, resumeBody(id, 3))))).toEqual({
      id,
      steps: 5460,
      acc: expectedAcc(5460),
    });

    expect(errorOf(await instance.run(journal, new Uint8Array(0)))).toBe("empty request");
    expect(errorOf(await instance.run(journal, new Uint8Array([9])))).toBe("unknown op 9");
    expect(errorOf(await instance.run(journal, startBody(1, 1).subarray(0, 12)))).toBe(
      "op 1 takes 13 bytes, got 12",
    );
    expect(errorOf(await instance.run(journal, concat(statusBody(id), new Uint8Array(1))))).toBe(
      "op 3 takes 17 bytes, got 18",
    );
  });

  it("refuses a lease that holds no journal", async () => {
    const instance = new NodeInstance();
    const { id } = await start(instance, 3);
    leasesOf(instance).write(id, 0, new Uint8Array(16)); // as if another contract's lease
    expect(errorOf(await instance.run(journal, resumeBody(id, 5)))).toBe(
      "the lease does not hold a work journal",
    );
    expect(await status(instance, id)).toEqual({ status: LeaseState.Active, steps: 0, acc: 0n });
  });
});
