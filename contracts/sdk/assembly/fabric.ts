// Fabric memory (the fbmu host namespace): byte-addressable arenas leased with
// a TTL. A lease outlives the execution that acquired it and can be attached
// again by its 16-byte id. Unlike linear storage, a lease write is durable as
// soon as the host call returns: a later trap or error result does not undo
// it. Every instance also has a default arena (no lease, never expires).
// Only the imports a contract actually calls end up in its module.
//
//   const lease = new MemBuilder().minBytes(64 * 1024).leaseSecs(60).acquire();
//   if (lease === null) return runError(FabricMem.statusName(MemBuilder.lastStatus));
//   lease.mem().write(0, ptr, len);

/** Host status codes (the table every host namespace shares): 0 is success, failures are negative. */
export const enum FbmuStatus {
  OK = 0,
  /** A negative length or offset, min_bytes <= 0, or lease seconds < 1. */
  INVALID_ARGUMENT = -1,
  /** The guest memory range or the arena range lies outside its bounds. */
  OUT_OF_BOUNDS = -2,
  OVERLAP = -3,
  NOT_MAPPED = -4,
  STORAGE_LIMIT = -5,
  IO_ERROR = -6,
  /** The fabric cannot be reached. */
  DISCONNECTED = -7,
  /** Over the per-lease maximum, or the instance's lease quota would be exceeded. */
  CAPACITY_EXCEEDED = -8,
  LEASE_EXPIRED = -9,
  /** The lease was freed. */
  REVOKED = -10,
  /** No lease with this id on this instance. */
  NOT_FOUND = -11,
}

/** LeaseInfo.status. */
export const enum LeaseStatus {
  Active = 0,
  /** now >= expiresAt. */
  Expired = 1,
  /** Freed. */
  Revoked = 2,
}

export const LEASE_ID_BYTES: u32 = 16;
/** The host's LeaseInfo record: [id 16][arena_size u64][expires_at u64][status u8][7 zero bytes]. */
export const LEASE_INFO_BYTES: u32 = 40;
/** Lease arenas are whole multiples of this (min_bytes is rounded up). */
export const LEASE_PAGE_BYTES: u64 = 64 * 1024;

const INFO_ARENA_SIZE: usize = 16;
const INFO_EXPIRES_AT: usize = 24;
const INFO_STATUS: usize = 32;

// @ts-ignore: decorator
@external("fbmu", "fbmu_hello")
declare function fbmu_hello(): i32;

// @ts-ignore: decorator
@external("fbmu", "fbmu_get_arena_size")
declare function fbmu_get_arena_size(): i64;

// @ts-ignore: decorator
@external("fbmu", "fbmu_read")
declare function fbmu_read(offset: u64, ptr: usize, len: u32): i32;

// @ts-ignore: decorator
@external("fbmu", "fbmu_write")
declare function fbmu_write(offset: u64, ptr: usize, len: u32): i32;

// @ts-ignore: decorator
@external("fbmu", "fbmu_alloc")
declare function fbmu_alloc(minBytes: u64, leaseSecs: u64, outPtr: usize): i32;

// @ts-ignore: decorator
@external("fbmu", "fbmu_query")
declare function fbmu_query(idPtr: usize, outPtr: usize): i32;

// @ts-ignore: decorator
@external("fbmu", "fbmu_renew")
declare function fbmu_renew(idPtr: usize, secs: u64): i64;

// @ts-ignore: decorator
@external("fbmu", "fbmu_free")
declare function fbmu_free(idPtr: usize): i32;

// @ts-ignore: decorator
@external("fbmu", "fbmu_read_lease")
declare function fbmu_read_lease(idPtr: usize, offset: u64, ptr: usize, len: u32): i32;

// @ts-ignore: decorator
@external("fbmu", "fbmu_write_lease")
declare function fbmu_write_lease(idPtr: usize, offset: u64, ptr: usize, len: u32): i32;

/** A decoded LeaseInfo (the id stays with its MemLease). */
export class LeaseInfo {
  arenaSize: u64 = 0;
  /** Unix seconds. */
  expiresAt: u64 = 0;
  /** A LeaseStatus. */
  status: u8 = <u8>LeaseStatus.Active;

  /** Decodes the 40-byte record at `ptr`. */
  load(ptr: usize): LeaseInfo {
    this.arenaSize = load<u64>(ptr, INFO_ARENA_SIZE);
    this.expiresAt = load<u64>(ptr, INFO_EXPIRES_AT);
    this.status = load<u8>(ptr, INFO_STATUS);
    return this;
  }
}

export namespace FabricMem {
  /** 0 when the fabric is reachable, else DISCONNECTED. */
  export function hello(): i32 {
    return fbmu_hello();
  }

  /** Size in bytes of the instance's default arena. */
  export function arenaSize(): i64 {
    return fbmu_get_arena_size();
  }

  /** Copies `len` bytes of memory at `ptr` to the default arena at `offset`; bytes moved or a negative FbmuStatus. */
  export function write(offset: u64, ptr: usize, len: u32): i32 {
    return fbmu_write(offset, ptr, len);
  }

  /** Copies default arena [offset, +len) to memory at `ptr`; bytes moved or a negative FbmuStatus. */
  export function read(offset: u64, ptr: usize, len: u32): i32 {
    return fbmu_read(offset, ptr, len);
  }

  /**
   * The info of any known lease, Expired and Revoked ones included (their
   * status tells); null when the query fails (NOT_FOUND: see MemBuilder.lastStatus).
   */
  export function query(idPtr: usize): LeaseInfo | null {
    const out = heap.alloc(<usize>LEASE_INFO_BYTES);
    const status = fbmu_query(idPtr, out);
    MemBuilder.lastStatus = status;
    return status == FbmuStatus.OK ? new LeaseInfo().load(out) : null;
  }

  /** "LEASE_EXPIRED (-9)" and the like, for error messages. */
  export function statusName(status: i32): string {
    let name: string;
    switch (status) {
      case FbmuStatus.OK: name = "OK"; break;
      case FbmuStatus.INVALID_ARGUMENT: name = "INVALID_ARGUMENT"; break;
      case FbmuStatus.OUT_OF_BOUNDS: name = "OUT_OF_BOUNDS"; break;
      case FbmuStatus.OVERLAP: name = "OVERLAP"; break;
      case FbmuStatus.NOT_MAPPED: name = "NOT_MAPPED"; break;
      case FbmuStatus.STORAGE_LIMIT: name = "STORAGE_LIMIT"; break;
      case FbmuStatus.IO_ERROR: name = "IO_ERROR"; break;
      case FbmuStatus.DISCONNECTED: name = "DISCONNECTED"; break;
      case FbmuStatus.CAPACITY_EXCEEDED: name = "CAPACITY_EXCEEDED"; break;
      case FbmuStatus.LEASE_EXPIRED: name = "LEASE_EXPIRED"; break;
      case FbmuStatus.REVOKED: name = "REVOKED"; break;
      case FbmuStatus.NOT_FOUND: name = "NOT_FOUND"; break;
      default: name = "status";
    }
    return name + " (" + status.toString() + ")";
  }

  /** "Active", "Expired" or "Revoked". */
  export function leaseStatusName(status: u8): string {
    if (status == LeaseStatus.Active) return "Active";
    if (status == LeaseStatus.Expired) return "Expired";
    if (status == LeaseStatus.Revoked) return "Revoked";
    return "status " + status.toString();
  }
}

/** Reads and writes at offsets in one lease's arena. */
export class LeaseMem {
  constructor(private readonly id: usize) {}

  /** Copies arena [offset, +len) to memory at `ptr`; bytes moved (= len) or a negative FbmuStatus. */
  read(offset: u64, ptr: usize, len: u32): i32 {
    return fbmu_read_lease(this.id, offset, ptr, len);
  }

  /** Copies `len` bytes of memory at `ptr` to the arena at `offset`; durable once this returns. */
  write(offset: u64, ptr: usize, len: u32): i32 {
    return fbmu_write_lease(this.id, offset, ptr, len);
  }
}

/** A handle on one lease. */
export class MemLease {
  /** Where the lease's 16 id bytes are (the first 16 bytes of a LeaseInfo record). */
  readonly id: usize;
  private readonly record: usize;
  private readonly cached: LeaseInfo = new LeaseInfo();
  private readonly arena: LeaseMem;

  /** `record` holds the lease's id in its first 16 bytes (and its LeaseInfo once queried). */
  private constructor(record: usize) {
    this.record = record;
    this.id = record;
    this.arena = new LeaseMem(record);
  }

  /**
   * A handle on the id at `idPtr` (copied) without asking the host: each call
   * then reports the lease's status. Use it to free or query a lease that
   * attach would refuse (Expired, Revoked).
   */
  static wrap(idPtr: usize): MemLease {
    const record = heap.alloc(<usize>LEASE_INFO_BYTES);
    memory.fill(record, 0, <usize>LEASE_INFO_BYTES);
    memory.copy(record, idPtr, <usize>LEASE_ID_BYTES);
    return new MemLease(record);
  }

  /** @internal A handle on a record the host just filled (alloc or query). */
  static fromRecord(record: usize): MemLease {
    const lease = new MemLease(record);
    lease.cached.load(record);
    return lease;
  }

  mem(): LeaseMem {
    return this.arena;
  }

  /**
   * Queries the host and returns the refreshed info (the same object every
   * time). If the query fails, MemBuilder.lastStatus says why and the last
   * known info is returned.
   */
  info(): LeaseInfo {
    const status = fbmu_query(this.id, this.record);
    MemBuilder.lastStatus = status;
    if (status == FbmuStatus.OK) this.cached.load(this.record);
    return this.cached;
  }

  /** The current LeaseStatus (queried). */
  status(): u8 {
    return this.info().status;
  }

  /** Extends the expiry to at least now + secs; returns the new expiry (unix s) or a negative FbmuStatus. */
  renew(secs: u64): i64 {
    const result = fbmu_renew(this.id, secs);
    if (result >= 0) this.cached.expiresAt = <u64>result;
    return result;
  }

  /** Revokes the lease: 0, or REVOKED (already), LEASE_EXPIRED, NOT_FOUND. */
  free(): i32 {
    const status = fbmu_free(this.id);
    if (status == FbmuStatus.OK) this.cached.status = <u8>LeaseStatus.Revoked;
    return status;
  }
}

/** Acquires leases: `new MemBuilder().minBytes(n).leaseSecs(s).acquire()`. */
export class MemBuilder {
  /** Why the last acquire, attach, FabricMem.query or MemLease.info failed (0 after a success). */
  static lastStatus: i32 = FbmuStatus.OK;

  private bytes: u64 = LEASE_PAGE_BYTES;
  private secs: u64 = 60;

  /** The arena holds at least `n` bytes (the host rounds up to 64 KiB). Default 64 KiB. */
  minBytes(n: u64): MemBuilder {
    this.bytes = n;
    return this;
  }

  /** The lease lasts `s` seconds (>= 1) unless renewed. Default 60. */
  leaseSecs(s: u64): MemBuilder {
    this.secs = s;
    return this;
  }

  /** A new Active lease, or null with MemBuilder.lastStatus (CAPACITY_EXCEEDED, INVALID_ARGUMENT, ...). */
  acquire(): MemLease | null {
    const record = heap.alloc(<usize>LEASE_INFO_BYTES);
    const status = fbmu_alloc(this.bytes, this.secs, record);
    MemBuilder.lastStatus = status;
    return status == FbmuStatus.OK ? MemLease.fromRecord(record) : null;
  }

  /**
   * The lease whose 16-byte id is at `idPtr` (copied), if it is Active; else
   * null with MemBuilder.lastStatus NOT_FOUND, LEASE_EXPIRED or REVOKED.
   */
  static attach(idPtr: usize): MemLease | null {
    const record = heap.alloc(<usize>LEASE_INFO_BYTES);
    let status = fbmu_query(idPtr, record);
    if (status == FbmuStatus.OK) {
      const state = load<u8>(record, INFO_STATUS);
      if (state == LeaseStatus.Expired) status = FbmuStatus.LEASE_EXPIRED;
      else if (state == LeaseStatus.Revoked) status = FbmuStatus.REVOKED;
    }
    MemBuilder.lastStatus = status;
    return status == FbmuStatus.OK ? MemLease.fromRecord(record) : null;
  }
}
