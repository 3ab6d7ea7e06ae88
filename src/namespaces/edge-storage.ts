// edge_storage: the instance's linear storage, mapped into guest memory.
// Sandbox half: src/guest-abi/edge-storage/; DO half: the frame tables and
// the StorageFramesTarget; a call's writes commit with its outcome.
import { StorageFramesTarget } from "../contract/ports/storage-frames-target.js";
import { bindStorage } from "../guest-abi/edge-storage/storage-imports.js";
import type { StorageChanges, StoragePort } from "../protocol/storage-port.js";
import { LinearStorageTables } from "../store/linear-storage/linear-storage-tables.js";
import type { Settings } from "../config.js";
import type { HostNamespace } from "./host-namespace.js";

function portOver(
  read: (indices: number[]) => Array<Uint8Array | null>,
  size: number,
  settings: Settings,
): StoragePort {
  return {
    frames: new StorageFramesTarget(read),
    size,
    limitBytes: settings.storageLimitBytes,
    frameBudgetBytes: settings.storageFrameBudgetBytes,
  };
}

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
    port: (store, { settings }) => portOver((indices) => store.frames(indices), store.size(), settings),
    commit: (store, changes) => store.apply(changes.writes, changes.size),
    txn: {
      port: (store, { settings }, txid) =>
        portOver((indices) => store.staged.frames(txid, indices), store.staged.size(txid), settings),
      stage: (store, txid, path, changes) => store.staged.stage(txid, path, changes),
      mark: (store) => store.staged.mark(),
      changedSince: (store, txid, mark) => store.staged.changedSince(txid, mark),
      discard: (store, txid, prefixes) => store.staged.discard(txid, prefixes),
      apply: (store, txid) => store.staged.apply(txid),
      drop: (store, txid) => store.staged.drop(txid),
    },
  },
};
