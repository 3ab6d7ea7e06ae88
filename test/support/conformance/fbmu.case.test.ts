// Conformance of the fbmu namespace (README "Fabric memory leases"), run
// against every host: a lease write is durable as soon as the import returns,
// so it survives the execution trapping; leases are rounded to 64 KiB, expire
// at expires_at, fail with their own status once Expired or Revoked, and hold
// at most LEASE_QUOTA_BYTES together until the alarm reclaims them. A host
// whose guests cannot wait for the instance must answer DISCONNECTED to every
// import. Guests: contracts/fixtures/lease-writer.wat and contracts/examples/work-journal.
import { describe, expect, it } from "vitest";
import { WASM_PAGE_BYTES } from "../../../src/limits.js";
import { HostStatus } from "../../../src/protocol/host-status.js";
import type { ConformanceHost, ConformanceInstance, LeaseView } from "./conformance-host.js";
import { concat, i32At, text, utf8 } from "./guest-bytes.js";
import { LeaseState } from "./lease-state.js";
import { okBody, rejection } from "./run-outcome.js";
import {
  JOURNAL_MAGIC,
  expectedAcc,
  freeBody,
  freeStatusOf,
  headerOf,
  progressOf,
  resumeBody,
  startBody,
  statusBody,
  statusOf,
  stepsFilling,
} from "./work-journal-requests.js";

const UNKNOWN_ID = new Uint8Array(16).fill(0x5a);
const ZERO_ID = new Uint8Array(16);
const TRAPPED = { kind: "failed", code: "CONTRACT_TRAP" } as const;
const CAPACITY_REFUSED = "fbmu_alloc failed: CAPACITY_EXCEEDED (-8)";

/** lease-writer [2][id]: fbmu_read_lease of 8 bytes at 0; the bytes, or the status as i32. */
async function readLease(instance: ConformanceInstance, id: Uint8Array): Promise<Uint8Array | number> {
  const body = okBody(await instance.run(concat(Uint8Array.of(2), id)));
  return body.length === 4 ? i32At(body, 0) : body;
}

async function onlyLease(instance: ConformanceInstance): Promise<LeaseView> {
  const leases = await instance.leases();
  expect(leases).toHaveLength(1);
  return leases[0]!;
}

const journal = {
  start: async (instance: ConformanceInstance, steps: number, leaseSecs = 600, crashAfter = 0) =>
    instance.run(startBody(steps, leaseSecs, crashAfter)),
  status: async (instance: ConformanceInstance, id: Uint8Array) =>
    statusOf(okBody(await instance.run(statusBody(id)))),
  free: async (instance: ConformanceInstance, id: Uint8Array) =>
    freeStatusOf(okBody(await instance.run(freeBody(id)))),
};

export function fbmuCases(host: ConformanceHost): void {
  const { leaseMaxBytes, leaseQuotaBytes, leaseGraceSecs } = host.limits;
  /** A journal that fills a lease of LEASE_MAX_BYTES exactly; crashing after one step keeps it quick. */
  const largest = (instance: ConformanceInstance, leaseSecs = 600) =>
    journal.start(instance, stepsFilling(leaseMaxBytes), leaseSecs, 1);
  const leasesInQuota = Math.floor(leaseQuotaBytes / leaseMaxBytes);

  describe(`fbmu on ${host.name}`, () => {
    describe.runIf(host.reachesInstance)("the fabric is reachable", () => {
      it("a lease write is durable: the execution traps after it, and a new one reads it by id", async () => {
        const instance = await host.open("lease-writer");
        expect(await instance.run(Uint8Array.of(1))).toEqual(TRAPPED);
        const lease = await onlyLease(instance);
        expect(lease).toMatchObject({ status: "active", arenaSize: WASM_PAGE_BYTES });
        expect(lease.expiresAt - lease.createdAt).toBe(600);
        expect(utf8(await instance.leaseBytes(lease.id, 0, 8))).toBe("JOURNAL!");
        expect(await readLease(instance, lease.id)).toEqual(text("JOURNAL!"));
      });

      it("fbmu_read_lease answers NOT_FOUND (-11) for an unknown id, INVALID_ARGUMENT (-1) for the all-zero id", async () => {
        const instance = await host.open("lease-writer");
        expect(await readLease(instance, UNKNOWN_ID)).toBe(HostStatus.NOT_FOUND);
        expect(await readLease(instance, ZERO_ID)).toBe(HostStatus.INVALID_ARGUMENT);
        expect(await instance.leases()).toEqual([]);
      });

      it("fbmu_alloc rounds the arena up to 64 KiB and the lease expires lease_secs after it was taken", async () => {
        const instance = await host.open("work-journal");
        // The shortest journal past one page (16 + 12 * 5,461 = 65,548 bytes); crashing after one step keeps it quick.
        const steps = stepsFilling(WASM_PAGE_BYTES) + 1;
        expect(await journal.start(instance, steps, 60, 1)).toEqual(TRAPPED);
        const lease = await onlyLease(instance);
        expect(lease).toMatchObject({ status: "active", arenaSize: 2 * WASM_PAGE_BYTES });
        expect(lease.expiresAt - lease.createdAt).toBe(60);
        expect(headerOf(await instance.leaseBytes(lease.id, 0, 16))).toEqual({
          magic: JOURNAL_MAGIC,
          steps: 1,
          acc: expectedAcc(1),
        });
      });

      it("a journal keeps every step written before a trap, and a resume ends where an uninterrupted run does", async () => {
        const instance = await host.open("work-journal");
        expect(await journal.start(instance, 100, 600, 40)).toEqual(TRAPPED);
        const { id } = await onlyLease(instance);
        expect(headerOf(await instance.leaseBytes(id, 0, 16))).toEqual({
          magic: JOURNAL_MAGIC,
          steps: 40,
          acc: expectedAcc(40),
        });
        expect(await journal.status(instance, id)).toEqual({
          status: LeaseState.Active,
          steps: 40,
          acc: expectedAcc(40),
        });
        expect(progressOf(okBody(await instance.run(resumeBody(id, 100))))).toEqual({
          id,
          steps: 100,
          acc: expectedAcc(100),
        });
      });

      it("fbmu_free revokes: query says Revoked, free and attach answer REVOKED (-10), the alarm keeps the tombstone", async () => {
        const instance = await host.open("work-journal");
        const { id } = progressOf(okBody(await journal.start(instance, 5)));
        expect(await journal.free(instance, id)).toBe(HostStatus.OK);
        const revoked = { status: LeaseState.Revoked, steps: 0, acc: 0n };
        expect(await journal.status(instance, id)).toEqual(revoked);
        expect(await journal.free(instance, id)).toBe(HostStatus.REVOKED);
        expect(rejection(await instance.run(resumeBody(id, 10)))).toBe(
          "cannot attach the lease: REVOKED (-10)",
        );
        await instance.alarm();
        expect(await onlyLease(instance)).toMatchObject({ id, status: "revoked" });
        expect(await journal.status(instance, id)).toEqual(revoked);
      });

      it("refuses lease_secs 0 (INVALID_ARGUMENT), a lease past LEASE_MAX_BYTES (CAPACITY_EXCEEDED) and unknown ids (NOT_FOUND)", async () => {
        const instance = await host.open("work-journal");
        expect(rejection(await journal.start(instance, 10, 0))).toBe(
          "fbmu_alloc failed: INVALID_ARGUMENT (-1)",
        );
        // One step more than fills LEASE_MAX_BYTES needs one more page.
        expect(rejection(await journal.start(instance, stepsFilling(leaseMaxBytes) + 1))).toBe(
          CAPACITY_REFUSED,
        );
        expect(rejection(await instance.run(statusBody(UNKNOWN_ID)))).toBe(
          "fbmu_query failed: NOT_FOUND (-11)",
        );
        expect(rejection(await instance.run(resumeBody(UNKNOWN_ID, 1)))).toBe(
          "cannot attach the lease: NOT_FOUND (-11)",
        );
        expect(await journal.free(instance, UNKNOWN_ID)).toBe(HostStatus.NOT_FOUND);
        expect(await instance.leases()).toEqual([]);
      });

      it("leases hold at most LEASE_QUOTA_BYTES together; a freed one's bytes return once the alarm has run", async () => {
        const instance = await host.open("work-journal");
        for (let i = 0; i < leasesInQuota; i++) expect(await largest(instance)).toEqual(TRAPPED);
        expect(rejection(await largest(instance))).toBe(CAPACITY_REFUSED);
        const [first] = await instance.leases();
        expect(await journal.free(instance, first!.id)).toBe(HostStatus.OK);
        await instance.alarm();
        expect(await largest(instance)).toEqual(TRAPPED);
        const leases = await instance.leases();
        expect(leases.map((lease) => lease.status).toSorted()).toEqual([
          ...Array.from({ length: leasesInQuota }, () => "active"),
          "revoked",
        ]);
      });

      it.skipIf(!host.alarmControl)(
        "a freed lease still counts toward the quota until the alarm reclaims it (needs alarm control: workerd's alarm fires on its own)",
        async () => {
          const instance = await host.open("work-journal");
          for (let i = 0; i < leasesInQuota; i++) expect(await largest(instance)).toEqual(TRAPPED);
          const [first] = await instance.leases();
          expect(await journal.free(instance, first!.id)).toBe(HostStatus.OK);
          expect(rejection(await largest(instance))).toBe(CAPACITY_REFUSED);
          await instance.alarm();
          expect(await largest(instance)).toEqual(TRAPPED);
        },
      );

      it("a lease turns Expired at expires_at: attach and free answer LEASE_EXPIRED (-9), query says Expired", async () => {
        const instance = await host.open("work-journal");
        // On a real clock the lease gets seconds to spare, so a loaded machine still sees it Active first;
        // expiry is counted in whole seconds, so the wait past it takes one more.
        const leaseSecs = host.clockControl ? 1 : 3;
        const { id } = progressOf(okBody(await journal.start(instance, 5, leaseSecs)));
        expect((await journal.status(instance, id)).status).toBe(LeaseState.Active);
        await instance.elapse(host.clockControl ? leaseSecs : leaseSecs + 1);
        expect(await journal.status(instance, id)).toEqual({ status: LeaseState.Expired, steps: 0, acc: 0n });
        expect(rejection(await instance.run(resumeBody(id, 10)))).toBe(
          "cannot attach the lease: LEASE_EXPIRED (-9)",
        );
        expect(await journal.free(instance, id)).toBe(HostStatus.LEASE_EXPIRED);
        expect(await onlyLease(instance)).toMatchObject({ id, status: "expired" });
      });

      it.skipIf(!host.clockControl)(
        "an expired lease holds its bytes for LEASE_GRACE_SECS, then the alarm reclaims it and keeps the tombstone (needs clock control: the grace is 300 s of real time in workerd)",
        async () => {
          const instance = await host.open("work-journal");
          for (let i = 0; i < leasesInQuota; i++) expect(await largest(instance, 1)).toEqual(TRAPPED);
          await instance.elapse(1);
          await instance.alarm();
          expect(rejection(await largest(instance))).toBe(CAPACITY_REFUSED);
          await instance.elapse(leaseGraceSecs - 1);
          await instance.alarm();
          expect(rejection(await largest(instance))).toBe(CAPACITY_REFUSED);
          await instance.elapse(1);
          await instance.alarm();
          expect(await largest(instance)).toEqual(TRAPPED);
          const statuses = (await instance.leases()).map((lease) => lease.status).toSorted();
          expect(statuses).toEqual(["active", ...Array.from({ length: leasesInQuota }, () => "expired")]);
        },
      );
    });

    describe.skipIf(host.reachesInstance)("without JSPI every import answers DISCONNECTED (-7)", () => {
      it("work-journal: fbmu_alloc, fbmu_query and fbmu_free answer DISCONNECTED, and no lease exists", async () => {
        const instance = await host.open("work-journal");
        expect(rejection(await journal.start(instance, 5))).toBe("fbmu_alloc failed: DISCONNECTED (-7)");
        expect(rejection(await instance.run(statusBody(UNKNOWN_ID)))).toBe(
          "fbmu_query failed: DISCONNECTED (-7)",
        );
        expect(rejection(await instance.run(resumeBody(UNKNOWN_ID, 1)))).toBe(
          "cannot attach the lease: DISCONNECTED (-7)",
        );
        expect(await journal.free(instance, UNKNOWN_ID)).toBe(HostStatus.DISCONNECTED);
        expect(await instance.leases()).toEqual([]);
      });

      it("lease-writer: fbmu_read_lease answers DISCONNECTED; a failed fbmu_alloc makes it trap with no lease taken", async () => {
        const instance = await host.open("lease-writer");
        expect(await readLease(instance, UNKNOWN_ID)).toBe(HostStatus.DISCONNECTED);
        expect(await instance.run(Uint8Array.of(1))).toEqual(TRAPPED);
        expect(await instance.leases()).toEqual([]);
      });
    });
  });
}
