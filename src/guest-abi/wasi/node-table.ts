// The call's view of one volume's namespace: committed paths (looked up in
// the DO on demand and remembered) under an overlay of every path the call
// touched. A directory in the overlay is opaque: it was created, or moved
// here with all its descendants listed into the overlay, so nothing committed
// shows through it. Hence a path below an overlaid ancestor that is not
// itself overlaid has no committed node, and only untouched directories ask
// the DO. Node and byte limits are counted as the guest acts.
import type {
  FileEntry,
  FileKind,
  FilesLimits,
  FilesSnapshot,
  FilesSource,
  NodeChange,
} from "../../protocol/files-port.js";
import { fsFail } from "./fs-error.js";
import { Inode } from "./inode.js";
import { compareNames } from "../../protocol/files-merkle.js";
import { checkPathBytes, isWithin, joinPath, splitPath } from "./path-resolution.js";

interface Overlaid {
  inode: Inode | null;
  /** The committed files had a node at this path (the commit must replace or remove it). */
  wasCommitted: boolean;
}

const depth = (path: string): number => path.split("/").length;

export interface Child {
  name: string;
  inode: Inode;
}

export class NodeTable {
  readonly root: Inode;
  readonly #source: FilesSource;
  readonly #limits: FilesLimits;
  readonly #overlay = new Map<string, Overlaid>();
  /** Overlaid names by parent path. */
  readonly #children = new Map<string, Set<string>>();
  readonly #committed = new Map<string, FileEntry | null>();
  readonly #inodes = new Map<number, Inode>();
  #nextId: number;
  #nodes: number;
  #bytes: number;

  constructor(source: FilesSource, snapshot: FilesSnapshot, limits: FilesLimits) {
    this.#source = source;
    this.#limits = limits;
    this.#nextId = snapshot.nextId;
    this.#nodes = snapshot.nodeCount;
    this.#bytes = snapshot.totalBytes;
    this.root = new Inode(0, "directory", 0, snapshot.root, "");
    this.#inodes.set(0, this.root);
  }

  /** The node at a store path, or null. */
  async lookup(path: string): Promise<Inode | null> {
    if (path === "") return this.root;
    const overlaid = this.#overlay.get(path);
    if (overlaid !== undefined) return overlaid.inode;
    for (let at = path.lastIndexOf("/"); at > 0; at = path.lastIndexOf("/", at - 1)) {
      if (this.#overlay.has(path.slice(0, at))) return null;
    }
    return this.#inodeOf(await this.#lookupCommitted(path));
  }

  /** The children of a directory, sorted by the bytes of their names. */
  async list(path: string): Promise<Child[]> {
    const byName = new Map<string, Inode>();
    const transparent = path === "" || !this.#overlay.has(path);
    if (transparent && (await this.#hasCommittedDir(path))) {
      for (const entry of await this.#source.list(path)) {
        this.#committed.set(entry.path, entry);
        const [, name] = splitPath(entry.path);
        if (!this.#overlay.has(entry.path)) byName.set(name, this.#inodeOf(entry) ?? fsFail("io"));
      }
    }
    for (const name of this.#children.get(path) ?? []) {
      const inode = this.#overlay.get(joinPath(path, [name]))?.inode;
      if (inode) byName.set(name, inode);
    }
    return [...byName]
      .map(([name, inode]) => ({ name, inode }))
      .toSorted((a, b) => compareNames(a.name, b.name));
  }

  /** A new node at `path` (its parent checked by the caller, the path free). */
  create(path: string, kind: FileKind): Inode {
    if (this.#nodes + 1 > this.#limits.maxNodes) fsFail("insufficient-space");
    const inode = Inode.created(this.#nextId++, kind, path);
    this.#inodes.set(inode.id, inode);
    this.#nodes++;
    this.#set(path, inode);
    return inode;
  }

  /** Removes the node at `path` (the caller checked it may go). */
  unlink(path: string, inode: Inode): void {
    this.#set(path, null);
    this.#drop(inode);
  }

  /** Moves `inode` from `from` to `to`; `replaced` is the node at `to` (checked by the caller). */
  async rename(from: string, to: string, inode: Inode, replaced: Inode | null): Promise<void> {
    if (replaced === inode) return;
    if (inode.isDirectory && isWithin(to, from)) fsFail("invalid");
    const moves: Array<[string, Inode]> = [["", inode]];
    // A directory takes its subtree along: listed now, so the overlay holds all of it.
    if (inode.isDirectory) await this.#descendants(from, "", moves);
    for (const [tail] of moves) checkPathBytes(to + tail, this.#limits.maxPathBytes);
    if (replaced) {
      this.#set(to, null);
      this.#drop(replaced);
    }
    for (const [tail] of moves) this.#set(from + tail, null);
    for (const [tail, node] of moves) {
      this.#set(to + tail, node);
      node.path = to + tail;
    }
  }

  /** Refuses a file size over the limits (before the bytes are written). */
  admit(inode: Inode, size: number): void {
    if (size > this.#limits.maxFileBytes) fsFail("file-too-large");
    const delta = size - inode.size;
    if (inode.linked && delta > 0 && this.#bytes + delta > this.#limits.maxTotalBytes)
      fsFail("insufficient-space");
  }

  /** Checks and applies a file's new size. */
  resize(inode: Inode, size: number): void {
    this.admit(inode, size);
    if (inode.linked) this.#bytes += size - inode.size;
    inode.size = size;
    inode.changed = true;
    inode.modifications++;
  }

  allocatedId(): number {
    return this.#nextId;
  }

  /** Every inode the call met (for flushing and for the removed list). */
  inodes(): Iterable<Inode> {
    return this.#inodes.values();
  }

  /** Final node of every touched path (a file whose content changed counts), parents before children. */
  nodeChanges(): NodeChange[] {
    const changes: NodeChange[] = [];
    for (const [path, { inode, wasCommitted }] of this.#overlay) {
      if (inode === null && !wasCommitted) continue;
      changes.push({ path, node: inode && { kind: inode.kind, id: inode.id, size: inode.size } });
    }
    for (const inode of this.#inodes.values()) {
      if (inode.changed && inode.linked && inode.path !== null && !this.#overlay.has(inode.path)) {
        changes.push({ path: inode.path, node: { kind: inode.kind, id: inode.id, size: inode.size } });
      }
    }
    return changes.toSorted((a, b) => depth(a.path) - depth(b.path) || compareNames(a.path, b.path));
  }

  get touched(): boolean {
    return this.#overlay.size > 0 || [...this.#inodes.values()].some((inode) => inode.changed);
  }

  async #descendants(base: string, tail: string, into: Array<[string, Inode]>): Promise<void> {
    for (const { name, inode } of await this.list(base + tail)) {
      const below = `${tail}/${name}`;
      into.push([below, inode]);
      if (inode.isDirectory) await this.#descendants(base, below, into);
    }
  }

  #set(path: string, inode: Inode | null): void {
    const old = this.#overlay.get(path);
    const wasCommitted = old ? old.wasCommitted : (this.#committed.get(path) ?? null) !== null;
    this.#overlay.set(path, { inode, wasCommitted });
    const [parent, name] = splitPath(path);
    let names = this.#children.get(parent);
    if (!names) this.#children.set(parent, (names = new Set()));
    names.add(name);
  }

  #drop(inode: Inode): void {
    inode.linked = false;
    inode.path = null;
    this.#nodes--;
    this.#bytes -= inode.size;
  }

  async #hasCommittedDir(path: string): Promise<boolean> {
    if (path === "") return true;
    return (await this.#lookupCommitted(path))?.kind === "directory";
  }

  async #lookupCommitted(path: string): Promise<FileEntry | null> {
    const known = this.#committed.get(path);
    if (known !== undefined) return known;
    const entry = await this.#source.lookup(path);
    this.#committed.set(path, entry);
    return entry;
  }

  #inodeOf(entry: FileEntry | null): Inode | null {
    if (entry === null) return null;
    const known = this.#inodes.get(entry.id);
    if (known) return known;
    const inode = Inode.committed(entry);
    this.#inodes.set(inode.id, inode);
    return inode;
  }
}
