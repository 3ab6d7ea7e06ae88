// wasi:filesystem: WASI Preview 2 for component contracts. Files persist per
// instance in the DO's Merkle file store; the rest of the WASI a component
// imports (streams, clocks, random, cli) is served by the same host because
// it shares the call's determinism rules. Sandbox half: src/guest-abi/wasi/;
// DO half: src/store/files/ and the FilesTarget.
import { FilesTarget } from "../contract/ports/files-target.js";
import { bindWasi } from "../guest-abi/wasi/wasi-imports.js";
import {
  COMPONENT_OUTPUT_BYTES,
  FILES_MAX_FILE_BYTES,
  FILES_MAX_NODES,
  FILES_MAX_PATH_BYTES,
  FILES_MAX_TOTAL_BYTES,
  FILES_READ_AHEAD_PAGES,
  FILES_WRITE_BUFFER_BYTES,
} from "../limits.js";
import type { FilesChanges, FilesLimits, FilesPort } from "../protocol/files-port.js";
import { FileStore } from "../store/files/file-store.js";
import { SqlFileRows } from "../store/files/sql-file-rows.js";
import type { HostNamespace } from "./host-namespace.js";

export const FILES_LIMITS: FilesLimits = {
  maxFileBytes: FILES_MAX_FILE_BYTES,
  maxNodes: FILES_MAX_NODES,
  maxTotalBytes: FILES_MAX_TOTAL_BYTES,
  maxPathBytes: FILES_MAX_PATH_BYTES,
  writeBufferBytes: FILES_WRITE_BUFFER_BYTES,
  readAheadPages: FILES_READ_AHEAD_PAGES,
};

/** The WASI 0.2 interfaces a component contract may import, unversioned. */
export const WASI_INTERFACES = [
  "wasi:filesystem/types",
  "wasi:filesystem/preopens",
  "wasi:io/streams",
  "wasi:io/error",
  "wasi:io/poll",
  "wasi:cli/stdin",
  "wasi:cli/stdout",
  "wasi:cli/stderr",
  "wasi:cli/environment",
  "wasi:cli/exit",
  "wasi:cli/terminal-input",
  "wasi:cli/terminal-output",
  "wasi:cli/terminal-stdin",
  "wasi:cli/terminal-stdout",
  "wasi:cli/terminal-stderr",
  "wasi:clocks/wall-clock",
  "wasi:clocks/monotonic-clock",
  "wasi:random/random",
  "wasi:random/insecure",
  "wasi:random/insecure-seed",
] as const;

/** The DO half's store: the file store and the clock its commits are stamped with. */
export interface WasiFiles {
  files: FileStore;
  now(): number;
}

export const wasiFilesystem: HostNamespace<FilesPort, FilesChanges, WasiFiles> = {
  name: "wasi:filesystem",
  // No core-module imports: only components reach it, through WIT interfaces.
  catalog: {},
  bind: () => ({ imports: {} }),
  component: { interfaces: WASI_INTERFACES, bind: bindWasi },
  host: {
    open: ({ sql, clock, newHasher }) => ({
      files: new FileStore(new SqlFileRows(sql), newHasher, FILES_LIMITS),
      now: () => clock.now(),
    }),
    port: ({ files }, instance) => {
      // Calls on an instance run one at a time: anything staged now is a dead call's.
      files.discardStaged();
      const stagingKey = crypto.randomUUID();
      const { id, parameters } = instance.identity();
      return {
        source: new FilesTarget(files.source(stagingKey)),
        snapshot: files.snapshot(),
        limits: FILES_LIMITS,
        parameters,
        instanceId: id,
        outputLimitBytes: COMPONENT_OUTPUT_BYTES,
        stagingKey,
      };
    },
    commit: ({ files, now }, changes) => files.commit(changes, now()).bytesWritten,
  },
};
