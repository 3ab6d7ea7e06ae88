// The fabric probe's protocol (contracts/examples/work-journal/assembly/probe/fabric-probe.ts,
// build/contracts/fabric-probe.wasm) for the fbmu suite: its scenario
// requests, and each scenario's answer named call by call (i64 LE each).
import { expect } from "vitest";
import { concat, i64At, u64s } from "./guest-bytes.js";

/** What scenario 1 writes to the default arena at 100 and to its lease at 65,528. */
export const PROBE_BYTES = Uint8Array.from({ length: 8 }, (_, i) => 0xa0 + i);
export const ARENA_WRITE_AT = 100;

/** Scenario 1: the default arena, refused acquisitions, then one lease of 1 byte for 10 s from acquire to free. */
export const walkBody = Uint8Array.of(1);
/** Scenario 2: leases of `minBytes` for `leaseSecs` until MemBuilder.acquire fails (100 at most). */
export const quotaBody = (minBytes: number, leaseSecs: number) =>
  concat(Uint8Array.of(2), u64s(minBytes, leaseSecs));
/** Scenario 3: attach `id`, then every call through MemLease.wrap(id). */
export const probeIdBody = (id: Uint8Array) => concat(Uint8Array.of(3), id);

function reader(body: Uint8Array, from = 0) {
  let at = from;
  return {
    next: () => ((at += 8), i64At(body, at - 8)),
    done: () => expect(at).toBe(body.length),
  };
}

/** Scenario 1's answer: the lease id, then every result (properties evaluate in order, each reads the next). */
export function walkAnswer(body: Uint8Array) {
  const r = reader(body, 16);
  const answer = {
    id: body.slice(0, 16),
    arena: {
      hello: r.next(),
      size: r.next(),
      /** FabricMem.write and .read of 8 bytes at 100, and 1 when the read saw the write. */
      write: r.next(),
      read: r.next(),
      readSeesWrite: r.next(),
      /** FabricMem.write of 8 bytes at size - 4. */
      writePastEnd: r.next(),
    },
    /** [1 when acquire gave null, MemBuilder.lastStatus] for min_bytes 0, min_bytes 1 TiB, lease_secs 0. */
    refused: {
      zeroBytes: [r.next(), r.next()],
      oneTiB: [r.next(), r.next()],
      zeroSecs: [r.next(), r.next()],
    },
    lease: {
      /** MemBuilder.lastStatus after minBytes(1).leaseSecs(10).acquire(). */
      acquired: r.next(),
      /** lease.info(). */
      arenaSize: r.next(),
      expiresAt: r.next(),
      status: r.next(),
      /** lease.mem().write of 8 bytes at 65,530, then at 65,528; its read back and 1 when it matched. */
      writePastEnd: r.next(),
      write: r.next(),
      read: r.next(),
      readSeesWrite: r.next(),
      /** lease.mem().read of 8 unwritten bytes at 0, and those bytes as a u64. */
      readUnwritten: r.next(),
      unwritten: r.next(),
      /** lease.renew(0), renew(100), renew(5). */
      renews: [r.next(), r.next(), r.next()],
    },
    /** MemBuilder.attach(lease.id): 1 when found, and its info().expiresAt. */
    attach: { found: r.next(), expiresAt: r.next() },
    /** MemBuilder.attach of an unknown id: [1 when null, lastStatus]. */
    attachUnknown: [r.next(), r.next()],
    freed: {
      /** lease.free() twice, then lease.status(). */
      free: r.next(),
      freeAgain: r.next(),
      status: r.next(),
      /** MemBuilder.attach(lease.id): [1 when null, lastStatus]. */
      attach: [r.next(), r.next()],
      read: r.next(),
      renew: r.next(),
      /** FabricMem.query(lease.id)!.status. */
      query: r.next(),
    },
  };
  r.done();
  return answer;
}

/** Scenario 2's answer: how many leases it took, and MemBuilder.lastStatus when it stopped. */
export function quotaAnswer(body: Uint8Array) {
  const r = reader(body);
  const answer = { count: r.next(), status: r.next() };
  r.done();
  return answer;
}

/** Scenario 3's answer. */
export function probeIdAnswer(body: Uint8Array) {
  const r = reader(body);
  const answer = {
    /** MemBuilder.attach(id): [1 when null, lastStatus]. */
    attach: [r.next(), r.next()],
    /** MemLease.wrap(id).info(): MemBuilder.lastStatus, then the info's status and expires_at. */
    info: { status: r.next(), state: r.next(), expiresAt: r.next() },
    /** lease.mem().write of 16 bytes at 0, lease.renew(10), lease.free(). */
    write: r.next(),
    renew: r.next(),
    free: r.next(),
  };
  r.done();
  return answer;
}
