import { describe, expect, it } from "vitest";
import { EdgeError } from "../../src/errors.js";
import { DEFAULT_ARENA_ID, LEASE_FRAME_BYTES, LeaseStore } from "../../src/store/leases/lease-store.js";
import { LeaseTables } from "../../src/store/leases/lease-tables.js";
import { nodeSql } from "./support/node-sql.js";

const MiB = 1024 * 1024;

function setup(overrides: Partial<{ quotaBytes: number; maxLeaseBytes: number; graceSecs: number }> = {}) {
  let nowMs = 1_800_000_000_000;
  let next = 1;
  const clock = { now: () => nowMs };
  const sql = nodeSql();
  const store = new LeaseStore(new LeaseTables(sql), clock, {
    quotaBytes: 4 * MiB,
    maxLeaseBytes: 2 * MiB,
    defaultArenaBytes: MiB,
    graceSecs: 60,
    maxLeaseSecs: 30 * 86_400,
    randomId: () => Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? next++ : 0xaa)),
    ...overrides,
  });
  const advance = (secs: number) => (nowMs += secs * 1000);
  const frames = () => Number(sql.exec("SELECT COUNT(*) AS n FROM lease_frames")[0]?.n);
  return { store, advance, frames, nowSecs: () => Math.floor(nowMs / 1000) };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (error) {
    return error instanceof EdgeError ? error.code : "not an EdgeError";
  }
}

describe("lease lifecycle (fake clock, real SQLite)", () => {
  it("acquire rounds the arena up to 64 KiB pages and starts Active", () => {
    const { store, nowSecs } = setup();
    const lease = store.acquire(100, 30);
    expect(lease).toMatchObject({
      arenaSize: LEASE_FRAME_BYTES,
      status: "active",
      expiresAt: nowSecs() + 30,
    });
    expect(store.list()).toHaveLength(1);
  });

  it("turns Expired exactly at now >= expires_at", () => {
    const { store, advance } = setup();
    const lease = store.acquire(1, 10);
    advance(9);
    expect(store.get(lease.id).status).toBe("active");
    advance(1);
    expect(store.get(lease.id).status).toBe("expired");
  });

  it("renew extends to at least now + secs and never shortens", () => {
    const { store, advance, nowSecs } = setup();
    const lease = store.acquire(1, 100);
    expect(store.renew(lease.id, 10)).toBe(lease.expiresAt);
    advance(95);
    expect(store.renew(lease.id, 10)).toBe(nowSecs() + 10);
  });

  it("renew after expiry is refused with LEASE_EXPIRED; after free with LEASE_REVOKED", () => {
    const { store, advance } = setup();
    const expired = store.acquire(1, 5);
    const freed = store.acquire(1, 500);
    store.free(freed.id);
    advance(5);
    expect(codeOf(() => store.renew(expired.id, 100))).toBe("LEASE_EXPIRED");
    expect(codeOf(() => store.renew(freed.id, 100))).toBe("LEASE_REVOKED");
    expect(codeOf(() => store.free(freed.id))).toBe("LEASE_REVOKED");
    expect(codeOf(() => store.read(expired.id, 0, 1))).toBe("LEASE_EXPIRED");
    expect(codeOf(() => store.write(freed.id, 0, Uint8Array.of(1)))).toBe("LEASE_REVOKED");
    expect(store.get(freed.id).status).toBe("revoked");
  });

  it("unknown ids are LEASE_NOT_FOUND; malformed ids are BAD_REQUEST", () => {
    const { store } = setup();
    expect(codeOf(() => store.get(new Uint8Array(16).fill(7)))).toBe("LEASE_NOT_FOUND");
    expect(codeOf(() => store.get(new Uint8Array(3)))).toBe("BAD_REQUEST");
  });

  it("enforces the per-lease maximum and the instance quota", () => {
    const { store } = setup();
    expect(codeOf(() => store.acquire(2 * MiB + 1, 10))).toBe("LEASE_CAPACITY_EXCEEDED");
    store.acquire(2 * MiB, 10);
    store.acquire(2 * MiB, 10);
    expect(codeOf(() => store.acquire(1, 10))).toBe("LEASE_CAPACITY_EXCEEDED");
    expect(codeOf(() => store.acquire(0, 10))).toBe("BAD_REQUEST");
    expect(codeOf(() => store.acquire(1, 0))).toBe("BAD_REQUEST");
  });

  it("two leases are isolated; unwritten bytes read as zero; bounds are enforced", () => {
    const { store } = setup();
    const a = store.acquire(2 * LEASE_FRAME_BYTES, 60);
    const b = store.acquire(2 * LEASE_FRAME_BYTES, 60);
    store.write(a.id, LEASE_FRAME_BYTES - 2, Uint8Array.of(1, 2, 3, 4));
    expect(Array.from(store.read(a.id, LEASE_FRAME_BYTES - 3, 6))).toEqual([0, 1, 2, 3, 4, 0]);
    expect(store.read(b.id, LEASE_FRAME_BYTES - 3, 6)).toEqual(new Uint8Array(6));
    expect(codeOf(() => store.write(a.id, 2 * LEASE_FRAME_BYTES - 1, Uint8Array.of(1, 2)))).toBe(
      "LEASE_OUT_OF_BOUNDS",
    );
  });

  it("the default arena needs no lease and never expires", () => {
    const { store, advance } = setup();
    store.write(DEFAULT_ARENA_ID, 10, Uint8Array.of(9));
    advance(10 ** 7);
    expect(Array.from(store.read(DEFAULT_ARENA_ID, 9, 3))).toEqual([0, 9, 0]);
    expect(codeOf(() => store.read(DEFAULT_ARENA_ID, MiB, 1))).toBe("LEASE_OUT_OF_BOUNDS");
  });

  it("reclaim drops frames of revoked and long-expired leases, keeps tombstones, and is idempotent", () => {
    const { store, advance, frames } = setup();
    const revoked = store.acquire(1, 1000);
    const expiring = store.acquire(1, 10);
    const alive = store.acquire(1, 1000);
    for (const lease of [revoked, expiring, alive]) store.write(lease.id, 0, Uint8Array.of(1));
    store.free(revoked.id);
    expect(store.reclaim()).toEqual({ reclaimed: 1, nextWake: expiring.expiresAt + 60 });
    advance(10 + 59);
    expect(store.reclaim().reclaimed).toBe(0);
    advance(1);
    expect(store.reclaim()).toEqual({ reclaimed: 1, nextWake: alive.expiresAt + 60 });
    expect(store.reclaim().reclaimed).toBe(0);
    expect(frames()).toBe(1);
    expect(store.get(revoked.id).status).toBe("revoked");
    expect(store.get(expiring.id).status).toBe("expired");
    expect(codeOf(() => store.read(expiring.id, 0, 1))).toBe("LEASE_EXPIRED");
  });

  it("reclaimed leases stop counting against the quota", () => {
    const { store } = setup({ quotaBytes: 2 * LEASE_FRAME_BYTES });
    const first = store.acquire(2 * LEASE_FRAME_BYTES, 100);
    expect(codeOf(() => store.acquire(1, 10))).toBe("LEASE_CAPACITY_EXCEEDED");
    store.free(first.id);
    store.reclaim();
    expect(store.acquire(1, 10).status).toBe("active");
  });
});

describe("lease bounds and lifetimes", () => {
  it("refuses a lifetime past LEASE_MAX_SECS, at acquire and at renew, with the maximum", () => {
    const { store } = setup();
    const max = 30 * 86_400;
    expect(codeOf(() => store.acquire(1, max + 1))).toBe("BAD_REQUEST");
    expect(codeOf(() => store.acquire(1, Number.MAX_SAFE_INTEGER))).toBe("BAD_REQUEST");
    const lease = store.acquire(1, max);
    expect(codeOf(() => store.renew(lease.id, max + 1))).toBe("BAD_REQUEST");
    expect(codeOf(() => store.renew(lease.id, max))).toBe("ok");
  });

  it("checks a whole range before anything is read or written, and names it", () => {
    const { store } = setup();
    const lease = store.acquire(LEASE_FRAME_BYTES, 60);
    expect(codeOf(() => store.requireRange(lease.id, LEASE_FRAME_BYTES - 6, 10))).toBe("LEASE_OUT_OF_BOUNDS");
    const thrown = (() => {
      try {
        store.requireRange(lease.id, LEASE_FRAME_BYTES - 6, 10);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect((thrown as EdgeError).details).toEqual({
      offset: LEASE_FRAME_BYTES - 6,
      length: 10,
      arenaSize: LEASE_FRAME_BYTES,
    });
    expect(codeOf(() => store.requireRange(lease.id, 0, LEASE_FRAME_BYTES))).toBe("ok");
  });
});
