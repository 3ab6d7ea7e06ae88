// The wasi:filesystem conformance hosts for node: the DO's FileStore over its
// in-memory rows and over node:sqlite, with the platform's limits.
import { FILES_LIMITS } from "../../../src/namespaces/wasi-filesystem.js";
import type { FilesLimits } from "../../../src/protocol/files-port.js";
import { FileStore } from "../../../src/store/files/file-store.js";
import type { FileRows } from "../../../src/store/files/file-rows.js";
import { MemoryFileRows } from "../../../src/store/files/memory-file-rows.js";
import { SqlFileRows } from "../../../src/store/files/sql-file-rows.js";
import type { WasiFilesHost, WasiFilesStore } from "../../support/conformance/wasi-files-host.js";
import { newHasher } from "../support/hasher.js";
import { nodeSql } from "../support/node-sql.js";

/** The platform's own limits (the namespace's), so the suite tests what production enforces. */
export const DEFAULT_LIMITS: FilesLimits = FILES_LIMITS;

let calls = 0;

function storeOver(rows: FileRows, limits: FilesLimits, instanceId: Uint8Array): WasiFilesStore {
  const store = new FileStore(rows, newHasher, limits);
  return {
    port(options = {}) {
      const stagingKey = `call-${++calls}`;
      return {
        source: store.source(stagingKey),
        snapshot: store.snapshot(),
        limits,
        parameters: options.parameters ?? new Uint8Array(0),
        instanceId,
        outputLimitBytes: options.outputLimitBytes ?? 16 * 1024,
        stagingKey,
      };
    },
    commit: (changes, atMs) => {
      store.commit(changes, atMs);
    },
    discard: () => store.discardStaged(),
    root: () => store.snapshot().root,
  };
}

function host(name: string, rows: () => FileRows): WasiFilesHost {
  return {
    name,
    open: (limits = {}, instanceId = new Uint8Array(32).fill(7)) =>
      storeOver(rows(), { ...DEFAULT_LIMITS, ...limits }, instanceId),
  };
}

export const memoryFilesHost = host("FileStore over MemoryFileRows", () => new MemoryFileRows());
export const sqlFilesHost = host("FileStore over node:sqlite", () => new SqlFileRows(nodeSql()));
