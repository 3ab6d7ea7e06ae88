// An in-memory fbmu host for node tests of `run` contracts that use fabric
// memory leases (the real host is src/leases/, behind the Durable Object).
// Implements the ten fbmu imports of the ABI: leases with a TTL against an
// injectable clock (unix seconds), a default arena, and durable writes: every
// write lands in the host's maps when the import returns, so it survives a
// trap or an error result. Each run() gets a fresh instance.
import type { GuestMemory } from "../../../src/guest-abi/guest-memory.js";
import { HostStatus } from "../../../src/protocol/host-status.js";
import { runEntry } from "./run-entry.js";

export const LEASE_PAGE_BYTES = 64 * 1024;
export const LEASE_INFO_BYTES = 40;

export const LeaseState = { Active: 0, Expired: 1, Revoked: 2 } as const;

export type FbmuOutcome =
  | { kind: "ok"; body: Uint8Array }
  | { kind: "error"; message: string }
  | { kind: "trap"; message: string };

export interface Lease {
  id: Uint8Array;
  arenaSize: number;
  expiresAt: number;
  revoked: boolean;
  /** Written bytes; unwritten ones read as zero. */
  bytes: Uint8Array;
}

export type FbmuHostOptions = Partial<
  Pick<FbmuHost, "now" | "maxLeaseBytes" | "quotaBytes" | "memoryLimitBytes">
> & {
  defaultArenaBytes?: number;
};

const hex = (id: Uint8Array) => Buffer.from(id).toString("hex");

export class FbmuHost {
  /** Unix seconds (advance it with `host.now += n`). */
  now = 1_700_000_000;
  maxLeaseBytes = 16 << 20;
  /** Arena bytes the Active leases may hold together. */
  quotaBytes = 64 << 20;
  memoryLimitBytes = 64 << 20;
  /** When false, every import answers DISCONNECTED. */
  connected = true;
  readonly leases = new Map<string, Lease>();
  readonly defaultArena: Uint8Array;

  constructor({ defaultArenaBytes = LEASE_PAGE_BYTES, ...options }: FbmuHostOptions = {}) {
    Object.assign(this, options);
    this.defaultArena = new Uint8Array(defaultArenaBytes);
  }

  lease(id: Uint8Array): Lease | undefined {
    return this.leases.get(hex(id));
  }

  /** 0 Active, 1 Expired, 2 Revoked. */
  statusOf(lease: Lease): number {
    if (lease.revoked) return LeaseState.Revoked;
    return this.now >= lease.expiresAt ? LeaseState.Expired : LeaseState.Active;
  }

  /** The arena bytes of Active leases (tombstones hold nothing: this host reclaims at once). */
  heldBytes(): number {
    let held = 0;
    for (const lease of this.leases.values()) {
      if (this.statusOf(lease) === LeaseState.Active) held += lease.arenaSize;
    }
    return held;
  }

  async run(module: WebAssembly.Module, body: Uint8Array): Promise<FbmuOutcome> {
    let memory: GuestMemory | undefined;
    const guest = () => memory!;
    const inMemory = (ptr: number, len: number) => ptr + len <= guest().size;
    const idAt = (ptr: number) => guest().read(ptr, 16, "lease id");

    const copy = (arena: Uint8Array | number, offset: bigint, ptr: number, len: number, toArena: boolean) => {
      if (typeof arena === "number") return arena;
      if (offset < 0n || len < 0) return HostStatus.INVALID_ARGUMENT;
      if (!inMemory(ptr, len) || offset + BigInt(len) > BigInt(arena.length)) return HostStatus.OUT_OF_BOUNDS;
      const at = Number(offset);
      if (toArena) arena.set(guest().view(ptr, len, "fbmu write"), at);
      else guest().write(ptr, arena.subarray(at, at + len), "fbmu read");
      return len;
    };
    const info = (lease: Lease, outPtr: number) => {
      const out = new Uint8Array(LEASE_INFO_BYTES);
      const view = new DataView(out.buffer);
      out.set(lease.id, 0);
      view.setBigUint64(16, BigInt(lease.arenaSize), true);
      view.setBigUint64(24, BigInt(lease.expiresAt), true);
      out[32] = this.statusOf(lease);
      guest().write(outPtr, out, "LeaseInfo");
    };
    const known = (idPtr: number): Lease | number => {
      if (!inMemory(idPtr, 16)) return HostStatus.OUT_OF_BOUNDS;
      return this.lease(idAt(idPtr)) ?? HostStatus.NOT_FOUND;
    };
    const active = (idPtr: number): Lease | number => {
      const lease = known(idPtr);
      if (typeof lease === "number") return lease;
      const state = this.statusOf(lease);
      if (state === LeaseState.Revoked) return HostStatus.REVOKED;
      return state === LeaseState.Expired ? HostStatus.LEASE_EXPIRED : lease;
    };

    /** The arena an id names, or a status: the zero id is the default arena, as in src/leases. */
    const arenaOf = (idPtr: number): Uint8Array | number => {
      if (inMemory(idPtr, 16) && idAt(idPtr).every((byte) => byte === 0)) return this.defaultArena;
      const lease = active(idPtr);
      return typeof lease === "number" ? lease : lease.bytes;
    };

    const imports = {
      fbmu_hello: () => HostStatus.OK,
      fbmu_get_arena_size: () => BigInt(this.defaultArena.length),
      fbmu_read: (offset: bigint, ptr: number, len: number) =>
        copy(this.defaultArena, offset, ptr >>> 0, len, false),
      fbmu_write: (offset: bigint, ptr: number, len: number) =>
        copy(this.defaultArena, offset, ptr >>> 0, len, true),
      fbmu_alloc: (minBytes: bigint, leaseSecs: bigint, outPtr: number) => {
        if (minBytes <= 0n || leaseSecs < 1n) return HostStatus.INVALID_ARGUMENT;
        if (!inMemory(outPtr >>> 0, LEASE_INFO_BYTES)) return HostStatus.OUT_OF_BOUNDS;
        const page = BigInt(LEASE_PAGE_BYTES);
        const size = ((minBytes + page - 1n) / page) * page;
        if (size > BigInt(this.maxLeaseBytes)) return HostStatus.CAPACITY_EXCEEDED;
        const arenaSize = Number(size);
        if (this.heldBytes() + arenaSize > this.quotaBytes) return HostStatus.CAPACITY_EXCEEDED;
        let id: Uint8Array;
        do id = crypto.getRandomValues(new Uint8Array(16));
        while (id.every((byte) => byte === 0) || this.lease(id));
        const expiresAt = this.now + Number(leaseSecs);
        const lease: Lease = { id, arenaSize, expiresAt, revoked: false, bytes: new Uint8Array(arenaSize) };
        this.leases.set(hex(id), lease);
        info(lease, outPtr >>> 0);
        return HostStatus.OK;
      },
      fbmu_query: (idPtr: number, outPtr: number) => {
        const lease = known(idPtr >>> 0);
        if (typeof lease === "number") return lease;
        if (!inMemory(outPtr >>> 0, LEASE_INFO_BYTES)) return HostStatus.OUT_OF_BOUNDS;
        info(lease, outPtr >>> 0);
        return HostStatus.OK;
      },
      fbmu_renew: (idPtr: number, secs: bigint) => {
        const lease = active(idPtr >>> 0);
        if (typeof lease === "number") return BigInt(lease);
        if (secs < 1n) return BigInt(HostStatus.INVALID_ARGUMENT);
        lease.expiresAt = Math.max(lease.expiresAt, this.now + Number(secs));
        return BigInt(lease.expiresAt);
      },
      fbmu_free: (idPtr: number) => {
        const lease = active(idPtr >>> 0);
        if (typeof lease === "number") return lease;
        lease.revoked = true;
        return HostStatus.OK;
      },
      fbmu_read_lease: (idPtr: number, offset: bigint, ptr: number, len: number) =>
        copy(arenaOf(idPtr >>> 0), offset, ptr >>> 0, len, false),
      fbmu_write_lease: (idPtr: number, offset: bigint, ptr: number, len: number) =>
        copy(arenaOf(idPtr >>> 0), offset, ptr >>> 0, len, true),
    };
    const fbmu = Object.fromEntries(
      Object.entries(imports).map(([name, fn]) => [
        name,
        (...args: never[]) => {
          if (!this.connected) return name === "fbmu_get_arena_size" || name === "fbmu_renew" ? -7n : -7;
          return (fn as (...a: never[]) => unknown)(...args);
        },
      ]),
    );
    const outcome = await runEntry(module, { fbmu }, body, this.memoryLimitBytes, {
      bind: (instanceMemory) => (memory = instanceMemory),
    });
    return outcome.kind === "trap" ? { kind: "trap", message: outcome.error.message } : outcome;
  }
}
