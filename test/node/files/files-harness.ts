// What the file store tests share: both row backends, test limits, a tiny
// stand-in for the sandbox's VFS host (it reads through the call's
// FilesSource, stages pages and produces FilesChanges as the real one does)
// and a model root computed from plain bytes with @noble/hashes.
import {
  FILE_PAGE_BYTES,
  type FileKind,
  type FilesChanges,
  type FilesLimits,
} from "../../../src/protocol/files-port.js";
import {
  FileContentHasher,
  compareNames,
  directoryTree,
  pageCount,
  type MerkleEntry,
} from "../../../src/protocol/files-merkle.js";
import { nobleHasher } from "../../../src/client/verify-files-proof.js";
import type { FileRows } from "../../../src/store/files/file-rows.js";
import { FileStore } from "../../../src/store/files/file-store.js";
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

interface SimNode {
  kind: FileKind;
  id: number;
  size: number;
}

const parentOf = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf("/")));

/** One call's writes, done the way the sandbox's VFS does them (pages staged under the call's key). */
export class CallSim {
  readonly #source;
  readonly #key: string;
  readonly #view = new Map<string, SimNode>();
  readonly #initial = new Map<string, SimNode>();
  readonly #touched = new Set<string>();
  readonly #pages = new Map<number, Map<number, Uint8Array>>();
  readonly #keepBelow = new Map<number, number>();
  #nextId: number;

  constructor(store: FileStore, key = "call") {
    this.#key = key;
    this.#source = store.source(key);
    this.#nextId = store.snapshot().nextId;
    const walk = (dir: string): void => {
      for (const entry of this.#source.list(dir)) {
        const node = { kind: entry.kind, id: entry.id, size: entry.size };
        this.#view.set(entry.path, node);
        this.#initial.set(entry.path, node);
        if (entry.kind === "directory") walk(entry.path);
      }
    };
    walk("");
  }

  mkdirs(path: string): void {
    if (path === "") return;
    const node = this.#view.get(path);
    if (node?.kind === "directory") return;
    if (node) this.remove(path);
    this.mkdirs(parentOf(path));
    this.#set(path, { kind: "directory", id: this.#nextId++, size: 0 });
  }

  write(path: string, offset: number, bytes: Uint8Array): void {
    let node = this.#view.get(path);
    if (node?.kind !== "file") {
      if (node) this.remove(path);
      this.mkdirs(parentOf(path));
      node = { kind: "file", id: this.#nextId++, size: 0 };
      this.#keepBelow.set(node.id, 0);
    } else if (!this.#keepBelow.has(node.id)) {
      this.#keepBelow.set(node.id, Infinity);
    }
    let at = 0;
    while (at < bytes.length) {
      const position = offset + at;
      const index = Math.floor(position / FILE_PAGE_BYTES);
      const within = position - index * FILE_PAGE_BYTES;
      const take = Math.min(FILE_PAGE_BYTES - within, bytes.length - at);
      const page = this.#page(node.id, index);
      page.set(bytes.subarray(at, at + take), within);
      this.#source.stage([
        {
          id: node.id,
          page: index,
          bytes: page.slice(0, Math.max(within + take, this.#stagedLength(node, index))),
        },
      ]);
      at += take;
    }
    this.#set(path, { ...node, size: Math.max(node.size, offset + bytes.length) });
  }

  truncate(path: string, size: number): void {
    const node = this.#view.get(path);
    if (node?.kind !== "file") throw new Error(`no file ${path}`);
    if (size < node.size) {
      const keep = pageCount(size);
      this.#keepBelow.set(node.id, Math.min(this.#keepBelow.get(node.id) ?? Infinity, keep));
      const pages = this.#pages.get(node.id);
      for (const index of pages?.keys() ?? []) if (index >= keep) pages?.delete(index);
      if (size % FILE_PAGE_BYTES !== 0) {
        const index = keep - 1;
        const page = this.#page(node.id, index);
        page.fill(0, size - index * FILE_PAGE_BYTES);
        this.#source.stage([{ id: node.id, page: index, bytes: page.slice() }]);
      }
    } else if (!this.#keepBelow.has(node.id)) {
      this.#keepBelow.set(node.id, Infinity);
    }
    this.#set(path, { ...node, size });
  }

  rename(from: string, to: string): void {
    const node = this.#view.get(from);
    if (!node || to === from || to.startsWith(`${from}/`)) return;
    if (this.#view.has(to)) this.remove(to);
    this.mkdirs(parentOf(to));
    const moved = [...this.#view.entries()].filter(([path]) => path === from || path.startsWith(`${from}/`));
    for (const [path] of moved) this.#set(path, null);
    for (const [path, moving] of moved) this.#set(to + path.slice(from.length), moving);
  }

  remove(path: string): void {
    for (const existing of this.#view.keys()) {
      if (existing === path || existing.startsWith(`${path}/`)) this.#set(existing, null);
    }
  }

  finish(): FilesChanges {
    const nodes = [...this.#touched]
      .toSorted((a, b) => a.split("/").length - b.split("/").length)
      .map((path) => {
        const node = this.#view.get(path);
        return { path, node: node ? { ...node } : null };
      });
    const liveIds = new Map<number, SimNode>();
    for (const node of this.#view.values()) liveIds.set(node.id, node);
    const contents = [...this.#keepBelow.entries()]
      .filter(([id]) => liveIds.get(id)?.kind === "file")
      .map(([id, keepBelow]) => ({
        id,
        size: (liveIds.get(id) as SimNode).size,
        keepBelow: Number.isFinite(keepBelow) ? keepBelow : pageCount((liveIds.get(id) as SimNode).size) + 1,
      }));
    const removed = [...new Set([...this.#initial.values()].map((node) => node.id))].filter(
      (id) => !liveIds.has(id),
    );
    return { nodes, contents, removed, nextId: this.#nextId, stagingKey: this.#key };
  }

  #set(path: string, node: SimNode | null): void {
    this.#touched.add(path);
    if (node) this.#view.set(path, node);
    else this.#view.delete(path);
  }

  #stagedLength(node: SimNode, index: number): number {
    return Math.max(0, Math.min(FILE_PAGE_BYTES, node.size - index * FILE_PAGE_BYTES));
  }

  /** The call's working copy of a page: staged, else committed (if not truncated away), else zeros. */
  #page(id: number, index: number): Uint8Array {
    let pages = this.#pages.get(id);
    if (!pages) this.#pages.set(id, (pages = new Map()));
    let page = pages.get(index);
    if (!page) {
      page = new Uint8Array(FILE_PAGE_BYTES);
      const [staged] = this.#source.readStaged(id, [index]);
      const keep = this.#keepBelow.get(id) ?? Infinity;
      const committed = staged ?? (index < keep ? (this.#source.readPages(id, index, 1)[0] ?? null) : null);
      if (committed) page.set(committed);
      pages.set(index, page);
    }
    return page;
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

/** Commits `sim` as the DO does, inside one transaction. */
export function commitSim(backend: Backend, store: FileStore, sim: CallSim, atMs = 1_000) {
  const changes = sim.finish();
  return backend.transaction(() => store.commit(changes, atMs));
}

/** Writes `files` (path -> bytes) in one call. */
export function writeFiles(
  backend: Backend,
  store: FileStore,
  files: Record<string, Uint8Array>,
  atMs = 1_000,
) {
  const sim = new CallSim(store);
  for (const [path, bytes] of Object.entries(files)) {
    sim.write(path, 0, bytes);
    sim.truncate(path, bytes.length);
  }
  return commitSim(backend, store, sim, atMs);
}
