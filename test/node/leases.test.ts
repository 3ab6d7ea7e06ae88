import { describe, expect, it } from "vitest";
import { EdgeError } from "../../src/errors.js";
import { FRAME_BYTES } from "../../src/limits.js";
import { LeaseStore } from "../../src/store/leases/lease-store.js";
import { LeaseTables } from "../../src/store/leases/lease-tables.js";
import { nodeSql } from "./support/node-sql.js";

const MiB = 1024 * 1024;

function setup(
  overrides: Partial<{
    quotaBytes: number;
    maxLeaseBytes: number;
    graceSecs: number;
    randomId: () => Uint8Array;
  }> = {},
) {
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
  return { store, sql, advance, frames, nowSecs: () => Math.floor(nowMs / 1000) };
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
      arenaSize: FRAME_BYTES,
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
    const a = store.acquire(2 * FRAME_BYTES, 60);
    const b = store.acquire(2 * FRAME_BYTES, 60);
    store.write(a.id, FRAME_BYTES - 2, Uint8Array.of(1, 2, 3, 4));
    expect(Array.from(store.read(a.id, FRAME_BYTES - 3, 6))).toEqual([0, 1, 2, 3, 4, 0]);
    expect(store.read(b.id, FRAME_BYTES - 3, 6)).toEqual(new Uint8Array(6));
    expect(codeOf(() => store.write(a.id, 2 * FRAME_BYTES - 1, Uint8Array.of(1, 2)))).toBe(
      "LEASE_OUT_OF_BOUNDS",
    );
  });

  it("the default arena (id null) needs no lease and never expires", () => {
    const { store, advance } = setup();
    store.write(null, 10, Uint8Array.of(9));
    advance(10 ** 7);
    expect(Array.from(store.read(null, 9, 3))).toEqual([0, 9, 0]);
    expect(codeOf(() => store.read(null, MiB, 1))).toBe("LEASE_OUT_OF_BOUNDS");
    expect(codeOf(() => store.requireRange(null, MiB - 1, 1))).toBe("ok");
    expect(codeOf(() => store.requireRange(null, MiB - 1, 2))).toBe("LEASE_OUT_OF_BOUNDS");
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
    const { store } = setup({ quotaBytes: 2 * FRAME_BYTES });
    const first = store.acquire(2 * FRAME_BYTES, 100);
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
    const lease = store.acquire(FRAME_BYTES, 60);
    expect(codeOf(() => store.requireRange(lease.id, FRAME_BYTES - 6, 10))).toBe("LEASE_OUT_OF_BOUNDS");
    const thrown = (() => {
      try {
        store.requireRange(lease.id, FRAME_BYTES - 6, 10);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect((thrown as EdgeError).details).toEqual({
      offset: FRAME_BYTES - 6,
      length: 10,
      arenaSize: FRAME_BYTES,
    });
    expect(codeOf(() => store.requireRange(lease.id, 0, FRAME_BYTES))).toBe("ok");
  });
});

describe("the all-zero lease id", () => {
  const zero = new Uint8Array(16);

  it("is refused by every id-taking method, and reaches no arena", () => {
    const { store, frames } = setup();
    store.write(null, 0, Uint8Array.of(7));
    const refusals = [
      () => store.get(zero),
      () => store.renew(zero, 10),
      () => store.free(zero),
      () => store.read(zero, 0, 1),
      () => store.write(zero, 0, Uint8Array.of(1)),
      () => store.requireRange(zero, 0, 1),
    ];
    for (const refused of refusals) expect(codeOf(refused)).toBe("BAD_REQUEST");
    const thrown = (() => {
      try {
        store.read(zero, 0, 1);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect((thrown as EdgeError).details).toEqual({ leaseId: "0".repeat(32) });
    // The refused write changed nothing: the default arena still holds its own byte.
    expect(Array.from(store.read(null, 0, 2))).toEqual([7, 0]);
    expect(frames()).toBe(1);
  });

  it("keeps addressing the frames a default arena stored under it before", () => {
    const { store, sql } = setup();
    const frame = new Uint8Array(FRAME_BYTES);
    frame[5] = 42;
    sql.exec("INSERT INTO lease_frames (lease_id, idx, data) VALUES (?, ?, ?)", zero, 1, frame);
    expect(Array.from(store.read(null, FRAME_BYTES + 4, 3))).toEqual([0, 42, 0]);
  });

  it("is never handed out as a lease", () => {
    const { store } = setup({ randomId: () => new Uint8Array(16) });
    expect(codeOf(() => store.acquire(1, 10))).toBe("INTERNAL");
    expect(store.list()).toEqual([]);
  });
});
