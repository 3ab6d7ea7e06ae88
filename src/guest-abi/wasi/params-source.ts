// The /params preopen: a read-only volume over an in-memory FilesSource with
// one file, "parameters" (the instance's parameters). Serving it through the
// same volume code as "/" means the same reads, stats and refusals.
import { blake3 } from "@noble/hashes/blake3.js";
import {
  FILE_PAGE_BYTES,
  type FileEntry,
  type FilesSnapshot,
  type FilesSource,
} from "../../protocol/files-port.js";

export const PARAMETERS_FILE = "parameters";

export function paramsVolumeSource(
  parameters: Uint8Array,
  committedAtMs: number,
): {
  source: FilesSource;
  snapshot: FilesSnapshot;
} {
  const hash = blake3(parameters);
  const root: FileEntry = { path: "", kind: "directory", id: 0, size: 0, hash: blake3(hash) };
  const file: FileEntry = { path: PARAMETERS_FILE, kind: "file", id: 1, size: parameters.length, hash };
  const source: FilesSource = {
    lookup: (path) => (path === "" ? root : path === PARAMETERS_FILE ? file : null),
    list: (dir) => (dir === "" ? [file] : []),
    readPages: (id, first, count) =>
      Array.from({ length: count }, (_, i) => {
        const start = (first + i) * FILE_PAGE_BYTES;
        return id === 1 && start < parameters.length
          ? parameters.subarray(start, start + FILE_PAGE_BYTES)
          : null;
      }),
    stage: () => {
      throw new Error("the /params volume is read-only");
    },
    readStaged: (_id, pages) => pages.map(() => null),
  };
  const snapshot: FilesSnapshot = {
    root: root.hash,
    version: 0,
    committedAtMs,
    nextId: 2,
    fileCount: 1,
    nodeCount: 1,
    totalBytes: parameters.length,
  };
  return { source, snapshot };
}
