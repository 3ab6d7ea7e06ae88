// Linear storage (the edge_storage host namespace): each contract instance has
// a sparse byte space, stored by the host as 64 KiB frames, where unwritten
// bytes read as zero. Ranges can be copied in and out (read/write) or mapped
// into guest memory (map/unmap/sync). Everything written during one call
// commits when the export returns a success; a trap or an error result
// commits nothing. Only the imports a contract actually calls end up in its
// module, so importing this file costs nothing until it is used.

/** Host status codes shared by every host namespace: 0 is success, failures are negative. */
export const enum StorageStatus {
  OK = 0,
  /** A negative length or offset. */
  INVALID_ARGUMENT = -1,
  /** The guest memory range lies outside memory. */
  OUT_OF_BOUNDS = -2,
  /** A mapping overlaps (or duplicates) an existing one, in memory or in storage. */
  OVERLAP = -3,
  /** unmap of an address that starts no mapping. */
  NOT_MAPPED = -4,
  /** The storage range lies beyond the configured limit (or the call's frame budget ran out). */
  STORAGE_LIMIT = -5,
  /** The host could not reach storage. */
  IO_ERROR = -6,
}

/** The host's unit of storage: a write changes whole frames of this size. */
export const STORAGE_FRAME_BYTES: u32 = 64 * 1024;

/** The default logical size limit (the host's STORAGE_LIMIT_BYTES may differ). */
export const STORAGE_DEFAULT_LIMIT_BYTES: u64 = 1 << 30;

// @ts-ignore: decorator
@external("edge_storage", "storage_map")
declare function storage_map(memOffset: usize, storageOffset: u64, length: u32): i32;

// @ts-ignore: decorator
@external("edge_storage", "storage_unmap")
declare function storage_unmap(memOffset: usize): i32;

// @ts-ignore: decorator
@external("edge_storage", "storage_sync")
declare function storage_sync(): i32;

// @ts-ignore: decorator
@external("edge_storage", "storage_size")
declare function storage_size(): i64;

// @ts-ignore: decorator
@external("edge_storage", "storage_read")
declare function storage_read(memOffset: usize, storageOffset: u64, length: u32): i32;

// @ts-ignore: decorator
@external("edge_storage", "storage_write")
declare function storage_write(storageOffset: u64, memOffset: usize, length: u32): i32;

export namespace Storage {
  /**
   * Copies storage[storageOffset, +length) to guest memory at `memPtr` and keeps
   * the two linked: changes to that memory are written back on unmap, sync, or
   * when the call returns. Mappings may not overlap each other in memory or in storage.
   */
  export function map(memPtr: usize, storageOffset: u64, length: u32): i32 {
    return storage_map(memPtr, storageOffset, length);
  }

  /** Writes back the mapping that starts at `memPtr`, then forgets it. */
  export function unmap(memPtr: usize): i32 {
    return storage_unmap(memPtr);
  }

  /** Writes back every mapping; they stay mapped. */
  export function sync(): i32 {
    return storage_sync();
  }

  /** Logical size: one past the highest byte ever written (a negative status on failure). */
  export function size(): i64 {
    return storage_size();
  }

  /** Copies storage[storageOffset, +length) to memory at `memPtr`, without mapping it. */
  export function read(memPtr: usize, storageOffset: u64, length: u32): i32 {
    return storage_read(memPtr, storageOffset, length);
  }

  /** Copies `length` bytes of memory at `memPtr` to storage at `storageOffset`. */
  export function write(storageOffset: u64, memPtr: usize, length: u32): i32 {
    return storage_write(storageOffset, memPtr, length);
  }

  /** "OVERLAP (-3)" and the like, for error messages. */
  export function statusName(status: i32): string {
    let name: string;
    switch (status) {
      case StorageStatus.OK: name = "OK"; break;
      case StorageStatus.INVALID_ARGUMENT: name = "INVALID_ARGUMENT"; break;
      case StorageStatus.OUT_OF_BOUNDS: name = "OUT_OF_BOUNDS"; break;
      case StorageStatus.OVERLAP: name = "OVERLAP"; break;
      case StorageStatus.NOT_MAPPED: name = "NOT_MAPPED"; break;
      case StorageStatus.STORAGE_LIMIT: name = "STORAGE_LIMIT"; break;
      case StorageStatus.IO_ERROR: name = "IO_ERROR"; break;
      default: name = "status";
    }
    return name + " (" + status.toString() + ")";
  }
}
