// What the file store tests share: both row backends, test limits, calls made
// through the sandbox's real WASI host (so the store is tested against the
// FilesChanges the sandbox really produces) and a model root computed from
// plain bytes with @noble/hashes.
import { FILE_PAGE_BYTES, type FilesChanges, type FilesLimits } from "../../../src/protocol/files-port.js";
import {
  FileContentHasher,
  compareNames,
  directoryTree,
  type MerkleEntry,
} from "../../../src/protocol/files-merkle.js";
import { nobleHasher } from "../../../src/client/verify-files-proof.js";
import type { Descriptor } from "../../../src/guest-abi/wasi/descriptor.js";
import { bindWasi, type WasiBinding } from "../../../src/guest-abi/wasi/wasi-imports.js";
import { UNMETERED } from "../../../src/metering/fuel-meter.js";
import type { FileRows } from "../../../src/store/files/file-rows.js";
import { FileStore, type CommitResult } from "../../../src/store/files/file-store.js";
import { MemoryFileRows } from "../../../src/store/files/memory-file-rows.js";
import { SqlFileRows } from "../../../src/store/files/sql-file-rows.js";
import type { SqlPort } from "../../../src/store/sql/sql-port.js";
import { newHasher } from "../support/hasher.js";
import { nodeSql } from "../support/node-sql.js";

export const LIMITS: FilesLimits = {
  maxFileBytes: 64 * FILE_PAGE_BYTES,
  maxNodes: 200,
  maxTotalBytes: 256 * FILE_PAGE_BYTES,
  maxPathBytes: 256,
  writeBufferBytes: 1024 * 1024,
  readAheadPages: 16,
};

export interface Backend {
  rows: FileRows;
  /** Runs `fn` as the DO would: in one transaction (a no-op wrapper for memory rows). */
  transaction<T>(fn: () => T): T;
  sql?: SqlPort;
}

export const BACKENDS: Array<[string, () => Backend]> = [
  ["memory rows", () => ({ rows: new MemoryFileRows(), transaction: (fn) => fn() })],
  [
    "SQL rows (node:sqlite)",
    () => {
      const sql = nodeSql();
      return { rows: new SqlFileRows(sql), transaction: (fn) => sql.transaction(fn), sql };
    },
  ],
];

export function openStore(backend: Backend, limits: FilesLimits = LIMITS): FileStore {
  return new FileStore(backend.rows, newHasher, limits);
}

const parentOf = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf("/")));

const WRITE = { read: true, write: true, mutateDirectory: true } as const;

/**
 * One call's file operations, made through the sandbox's real WASI host
 * (src/guest-abi/wasi) on the store's port, as a guest's calls would be.
 * The helpers here only add what a test wants in one step: parents made on
 * the way, whatever stands in a path's way removed first.
 */
export class CallSim {
  readonly #wasi: WasiBinding;
  readonly #root: Descriptor;

  constructor(store: FileStore, key = "call", limits: FilesLimits = LIMITS) {
    this.#wasi = bindWasi(
      {
        source: store.source(key),
        snapshot: store.snapshot(),
        limits,
        parameters: new Uint8Array(0),
        instanceId: new Uint8Array(32),
        outputLimitBytes: 1024,
        stagingKey: key,
      },
      { meter: UNMETERED, fuelUsed: () => 0 },
    );
    const [[root]] = (
      this.#wasi.imports["wasi:filesystem/preopens"]!.getDirectories as () => Array<[Descriptor, string]>
    )() as [[Descriptor, string]];
    this.#root = root;
  }

  async mkdirs(path: string): Promise<void> {
    if (path === "") return;
    const type = await this.#typeOf(path);
    if (type === "directory") return;
    if (type !== null) await this.remove(path);
    await this.mkdirs(parentOf(path));
    await this.#root.createDirectoryAt(path);
  }

  async write(path: string, offset: number, bytes: Uint8Array): Promise<void> {
    if ((await this.#typeOf(path)) === "directory") await this.remove(path);
    await this.mkdirs(parentOf(path));
    const file = await this.#root.openAt({}, path, { create: true }, WRITE);
    await file.write(bytes, BigInt(offset));
  }

  async truncate(path: string, size: number): Promise<void> {
    const file = await this.#root.openAt({}, path, {}, WRITE);
    await file.setSize(BigInt(size));
  }

  async rename(from: string, to: string): Promise<void> {
    if ((await this.#typeOf(from)) === null || to === from || to.startsWith(`${from}/`)) return;
    if ((await this.#typeOf(to)) !== null) await this.remove(to);
    await this.mkdirs(parentOf(to));
    // Removing `to` took `from` along when it stood below it: nothing is left to move.
    if ((await this.#typeOf(from)) === null) return;
    await this.#root.renameAt(from, this.#root, to);
  }

  /** Removes `path` and, for a directory, everything below it. */
  async remove(path: string): Promise<void> {
    const type = await this.#typeOf(path);
    if (type === "directory") {
      const dir = await this.#root.openAt({}, path, { directory: true }, { mutateDirectory: true });
      const entries = await dir.readDirectory();
      const names: string[] = [];
      for (let entry = entries.readDirectoryEntry(); entry; entry = entries.readDirectoryEntry()) {
        names.push(entry.name);
      }
      for (const name of names) await this.remove(`${path}/${name}`);
      await this.#root.removeDirectoryAt(path);
    } else if (type !== null) {
      await this.#root.unlinkFileAt(path);
    }
  }

  /** What the call changed (its last pages staged), as the sandbox hands it back; undefined: nothing. */
  finish(): Promise<FilesChanges | undefined> {
    return this.#wasi.finish();
  }

  async #typeOf(path: string): Promise<"directory" | "regular-file" | null> {
    try {
      return (await this.#root.statAt({}, path)).type;
    } catch (error) {
      if (error === "no-entry" || error === "not-directory") return null;
      throw error;
    }
  }
}

/** Files as plain bytes and directories as paths: what the store should hold. */
export class FilesModel {
  readonly files = new Map<string, Uint8Array>();
  readonly dirs = new Set<string>();

  /** The root the store must report for these files, from their bytes alone (@noble/hashes). */
  root(): Uint8Array {
    const hashOf = (dir: string): Uint8Array => {
      const entries: MerkleEntry[] = [];
      const prefix = dir === "" ? "" : `${dir}/`;
      const direct = (path: string): boolean =>
        path.startsWith(prefix) && !path.slice(prefix.length).includes("/");
      for (const [path, bytes] of this.files) {
        if (direct(path)) {
          const { hash } = new FileContentHasher(nobleHasher).update(bytes).digest();
          entries.push({ name: path.slice(prefix.length), kind: "file", hash });
        }
      }
      for (const path of this.dirs) {
        if (path !== "" && direct(path))
          entries.push({ name: path.slice(prefix.length), kind: "directory", hash: hashOf(path) });
      }
      entries.sort((a, b) => compareNames(a.name, b.name));
      return directoryTree(nobleHasher, entries).hash;
    };
    return hashOf("");
  }
}

/** Commits `sim` as the DO does, inside one transaction (none when the call changed nothing). */
export async function commitSim(
  backend: Backend,
  store: FileStore,
  sim: CallSim,
  atMs = 1_000,
): Promise<CommitResult> {
  const changes = await sim.finish();
  // A call that changed nothing commits nothing (the DO skips it too): the store stays as it was.
  if (!changes) return { ...store.snapshot(), bytesWritten: 0 };
  return backend.transaction(() => store.commit(changes, atMs));
}

/** Writes `files` (path -> bytes) in one call. */
export async function writeFiles(
  backend: Backend,
  store: FileStore,
  files: Record<string, Uint8Array>,
  atMs = 1_000,
) {
  const sim = new CallSim(store);
  for (const [path, bytes] of Object.entries(files)) {
    await sim.write(path, 0, bytes);
    await sim.truncate(path, bytes.length);
  }
  return commitSim(backend, store, sim, atMs);
}
