// Conformance of the fbmu namespace (README "Fabric memory leases"), run
// against every host: a lease write is durable as soon as the import returns,
// so it survives the execution trapping; leases are rounded to 64 KiB, expire
// at expires_at, fail with their own status once Expired or Revoked, and hold
// at most LEASE_QUOTA_BYTES together until the alarm reclaims them. A host
// whose guests cannot wait for the instance must answer DISCONNECTED to every
// import. Guests: contracts/fixtures/lease-writer.wat, contracts/examples/work-journal,
// and its probe of the SDK's fabric wrappers
// (contracts/examples/work-journal/assembly/probe/fabric-probe.ts: FabricMem,
// MemBuilder, MemLease and what each call answers).
import { describe, expect, it } from "vitest";
import { WASM_PAGE_BYTES } from "../../../src/limits.js";
import { HostStatus } from "../../../src/protocol/host-status.js";
import { describeWhere } from "./where.js";
import type { ConformanceHost, ConformanceInstance, LeaseView } from "./conformance-host.js";
import { concat, i32At, text, utf8 } from "./guest-bytes.js";
import { LeaseState } from "./lease-state.js";
import { okBody, rejection } from "./run-outcome.js";
import {
  ARENA_WRITE_AT,
  PROBE_BYTES,
  probeIdAnswer,
  probeIdBody,
  quotaAnswer,
  quotaBody,
  walkAnswer,
  walkBody,
} from "./fabric-probe-requests.js";
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
  const { leaseMaxBytes, leaseQuotaBytes, leaseGraceSecs, fabricArenaBytes } = host.limits;
  /** A journal that fills a lease of LEASE_MAX_BYTES exactly; crashing after one step keeps it quick. */
  const largest = (instance: ConformanceInstance, leaseSecs = 600) =>
    journal.start(instance, stepsFilling(leaseMaxBytes), leaseSecs, 1);
  const leasesInQuota = Math.floor(leaseQuotaBytes / leaseMaxBytes);
  /** fabric-probe taking leases of LEASE_MAX_BYTES until acquire fails. */
  const fillQuota = async (instance: ConformanceInstance, leaseSecs: number) =>
    quotaAnswer(okBody(await instance.run(quotaBody(leaseMaxBytes, leaseSecs))));
  const quotaFull = { count: leasesInQuota, status: HostStatus.CAPACITY_EXCEEDED };

  describe(`fbmu on ${host.name}`, () => {
    describeWhere(host.reachesInstance)("the fabric is reachable", () => {
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

      it("fabric-probe (SDK FabricMem, MemBuilder, MemLease): the default arena, refused acquisitions, and one lease from acquire to free", async () => {
        const instance = await host.open("fabric-probe");
        const before = Math.floor(Date.now() / 1000);
        const { id, ...answer } = walkAnswer(okBody(await instance.run(walkBody)));
        const after = Math.ceil(Date.now() / 1000);
        // The lease the call took and freed, under the id the answer starts with.
        const lease = await onlyLease(instance);
        expect(lease).toMatchObject({ id, status: "revoked", arenaSize: WASM_PAGE_BYTES });
        const renewed = answer.lease.renews[1]!;
        expect(answer).toEqual({
          arena: {
            hello: HostStatus.OK,
            size: fabricArenaBytes,
            write: 8,
            read: 8,
            readSeesWrite: 1,
            writePastEnd: HostStatus.OUT_OF_BOUNDS,
          },
          refused: {
            zeroBytes: [1, HostStatus.INVALID_ARGUMENT],
            oneTiB: [1, HostStatus.CAPACITY_EXCEEDED],
            zeroSecs: [1, HostStatus.INVALID_ARGUMENT],
          },
          lease: {
            acquired: HostStatus.OK,
            // 1 byte asked, 64 KiB given, for 10 s.
            arenaSize: WASM_PAGE_BYTES,
            expiresAt: lease.createdAt + 10,
            status: LeaseState.Active,
            writePastEnd: HostStatus.OUT_OF_BOUNDS,
            write: 8,
            read: 8,
            readSeesWrite: 1,
            readUnwritten: 8,
            unwritten: 0,
            // renew(0) is refused, renew(100) moves expires_at, renew(5) keeps the later one.
            renews: [HostStatus.INVALID_ARGUMENT, renewed, renewed],
          },
          attach: { found: 1, expiresAt: renewed },
          attachUnknown: [1, HostStatus.NOT_FOUND],
          freed: {
            free: HostStatus.OK,
            freeAgain: HostStatus.REVOKED,
            status: LeaseState.Revoked,
            attach: [1, HostStatus.REVOKED],
            read: HostStatus.REVOKED,
            renew: HostStatus.REVOKED,
            query: LeaseState.Revoked,
          },
        });
        expect(lease.expiresAt).toBe(renewed);
        // renew(100) counts from the renewal, later in the same call: with clock control at
        // created_at exactly; on a real clock a second may have passed, within the call's time.
        const call = host.clockControl
          ? { from: lease.createdAt, to: lease.createdAt }
          : { from: before, to: after };
        expect(lease.createdAt).toBeGreaterThanOrEqual(call.from);
        expect(renewed - 100).toBeGreaterThanOrEqual(lease.createdAt);
        expect(renewed - 100).toBeLessThanOrEqual(call.to);
        // The default arena kept the call's write.
        expect(await instance.arenaBytes(ARENA_WRITE_AT, 8)).toEqual(PROBE_BYTES);
      });

      it("fabric-probe (SDK MemBuilder): acquire answers CAPACITY_EXCEEDED once the leases hold LEASE_QUOTA_BYTES", async () => {
        const instance = await host.open("fabric-probe");
        expect(await fillQuota(instance, 60)).toEqual(quotaFull);
        expect((await instance.leases()).map(({ status, arenaSize }) => ({ status, arenaSize }))).toEqual(
          Array.from({ length: leasesInQuota }, () => ({ status: "active", arenaSize: leaseMaxBytes })),
        );
      });

      it("fabric-probe (SDK MemBuilder): expired leases still count toward the quota", async () => {
        const instance = await host.open("fabric-probe");
        // On a real clock the leases get seconds, and the wait goes one past (expiry counts whole seconds).
        const leaseSecs = host.clockControl ? 60 : 3;
        expect(await fillQuota(instance, leaseSecs)).toEqual(quotaFull);
        await instance.elapse(host.clockControl ? leaseSecs : leaseSecs + 1);
        expect((await instance.leases()).map((lease) => lease.status)).toEqual(
          Array.from({ length: leasesInQuota }, () => "expired"),
        );
        expect(await fillQuota(instance, leaseSecs)).toEqual({
          count: 0,
          status: HostStatus.CAPACITY_EXCEEDED,
        });
      });

      it.skipIf(!host.clockControl)(
        "fabric-probe (SDK MemBuilder): LEASE_GRACE_SECS after expiry the alarm reclaims the leases and acquire gets the whole quota again (needs clock control: the grace is 300 s of real time in workerd)",
        async () => {
          const instance = await host.open("fabric-probe");
          expect(await fillQuota(instance, 60)).toEqual(quotaFull);
          await instance.elapse(60);
          expect(await fillQuota(instance, 60)).toEqual({ count: 0, status: HostStatus.CAPACITY_EXCEEDED });
          await instance.elapse(leaseGraceSecs);
          await instance.alarm();
          expect(await fillQuota(instance, 60)).toEqual(quotaFull);
          const statuses = (await instance.leases()).map((lease) => lease.status).toSorted();
          expect(statuses).toEqual([
            ...Array.from({ length: leasesInQuota }, () => "active"),
            ...Array.from({ length: leasesInQuota }, () => "expired"),
          ]);
        },
      );

      it("fabric-probe (SDK MemLease): on an expired lease attach, write, renew and free answer LEASE_EXPIRED (-9); info answers OK, Expired", async () => {
        const instance = await host.open("fabric-probe");
        const leaseSecs = host.clockControl ? 60 : 3;
        expect(await fillQuota(instance, leaseSecs)).toEqual(quotaFull);
        const [lease] = await instance.leases();
        // With clock control, exactly at expires_at.
        await instance.elapse(host.clockControl ? leaseSecs : leaseSecs + 1);
        expect(probeIdAnswer(okBody(await instance.run(probeIdBody(lease!.id))))).toEqual({
          attach: [1, HostStatus.LEASE_EXPIRED],
          info: { status: HostStatus.OK, state: LeaseState.Expired, expiresAt: lease!.expiresAt },
          write: HostStatus.LEASE_EXPIRED,
          renew: HostStatus.LEASE_EXPIRED,
          free: HostStatus.LEASE_EXPIRED,
        });
      });
    });

    describeWhere(!host.reachesInstance)("without JSPI every import answers DISCONNECTED (-7)", () => {
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

      it("fabric-probe (SDK MemBuilder): acquire fails with DISCONNECTED and no lease exists", async () => {
        const instance = await host.open("fabric-probe");
        expect(await fillQuota(instance, 60)).toEqual({ count: 0, status: HostStatus.DISCONNECTED });
        expect(await instance.leases()).toEqual([]);
      });

      it("fabric-probe (SDK FabricMem, MemBuilder, MemLease): every call answers DISCONNECTED and the default arena stays untouched", async () => {
        const instance = await host.open("fabric-probe");
        // The walk stops at its first acquire that must succeed.
        expect(rejection(await instance.run(walkBody))).toBe("acquire failed: DISCONNECTED (-7)");
        expect(await instance.arenaBytes(ARENA_WRITE_AT, 8)).toEqual(new Uint8Array(8));
        expect(probeIdAnswer(okBody(await instance.run(probeIdBody(UNKNOWN_ID))))).toEqual({
          attach: [1, HostStatus.DISCONNECTED],
          // The info of a handle never refreshed: zeros.
          info: { status: HostStatus.DISCONNECTED, state: 0, expiresAt: 0 },
          write: HostStatus.DISCONNECTED,
          renew: HostStatus.DISCONNECTED,
          free: HostStatus.DISCONNECTED,
        });
        expect(await instance.leases()).toEqual([]);
      });
    });
  });
}
