// edge_storage: the instance's linear storage, mapped into guest memory.
// Sandbox half: src/guest-abi/edge-storage/; DO half: the frame tables and
// the StorageFramesTarget; a call's writes commit with its outcome.
import { StorageFramesTarget } from "../contract/ports/storage-frames-target.js";
import { bindStorage } from "../guest-abi/edge-storage/storage-imports.js";
import type { StorageChanges, StoragePort } from "../protocol/storage-port.js";
import { LinearStorageTables } from "../store/linear-storage/linear-storage-tables.js";
import type { HostNamespace } from "./host-namespace.js";

export const edgeStorage: HostNamespace<StoragePort, StorageChanges, LinearStorageTables> = {
  name: "edge_storage",
  catalog: {
    storage_map: { params: ["i32", "i64", "i32"], results: ["i32"] },
    storage_unmap: { params: ["i32"], results: ["i32"] },
    storage_sync: { params: [], results: ["i32"] },
    storage_size: { params: [], results: ["i64"] },
    storage_read: { params: ["i32", "i64", "i32"], results: ["i32"] },
    storage_write: { params: ["i64", "i32", "i32"], results: ["i32"] },
  },
  bind: bindStorage,
  host: {
    open: ({ sql }) => new LinearStorageTables(sql),
    port: (store, { settings }) => ({
      frames: new StorageFramesTarget((indices) => store.frames(indices)),
      size: store.size(),
      limitBytes: settings.storageLimitBytes,
      frameBudgetBytes: settings.storageFrameBudgetBytes,
    }),
    commit: (store, changes) => store.apply(changes.writes, changes.size),
  },
};
