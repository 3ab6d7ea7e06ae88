// One preopened directory tree: its namespace, its pages, whether it is
// read-only, and the operations descriptors and streams share (path checks,
// bounded reads, writes within the limits). Fuel is charged here, once per
// host call and per byte moved, the way every other namespace prices imports.
import { HOST_COST, hostBytesCost } from "../../metering/fuel-costs.js";
import type { HostMeter } from "../../metering/fuel-meter.js";
import type { FilesLimits, FilesSnapshot, FilesSource } from "../../protocol/files-port.js";
import { FilePages } from "./file-pages.js";
import { fsFail } from "./fs-error.js";
import type { Inode } from "./inode.js";
import { NodeTable } from "./node-table.js";
import { checkPathBytes, joinPath, parseRelative, splitPath } from "./path-resolution.js";

/** Most bytes one read answers (a guest asking for more gets a short read, as WASI allows). */
export const MAX_READ_BYTES = 1024 * 1024;

export interface Datetime {
  seconds: bigint;
  nanoseconds: number;
}

export interface ResolvedPath {
  /** The store path (relative to the volume's root). */
  path: string;
  /** The path named its directory itself ("." or "./"). */
  self: boolean;
  mustBeDirectory: boolean;
}

export class Volume {
  /** Distinguishes volumes in metadata hashes and is-same-object. */
  readonly tag: number;
  readonly nodes: NodeTable;
  readonly pages: FilePages;
  readonly readOnly: boolean;
  readonly limits: FilesLimits;
  /** Every node's timestamps: the commit time of the current version (deterministic). */
  readonly timestamp: Datetime;
  readonly #meter: HostMeter;

  constructor(
    tag: number,
    source: FilesSource,
    snapshot: FilesSnapshot,
    limits: FilesLimits,
    options: { readOnly: boolean; meter: HostMeter },
  ) {
    this.tag = tag;
    this.nodes = new NodeTable(source, snapshot, limits);
    this.pages = new FilePages(source, limits);
    this.readOnly = options.readOnly;
    this.limits = limits;
    this.#meter = options.meter;
    const ms = snapshot.committedAtMs;
    this.timestamp = { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
  }

  /** A host call that touches the namespace. */
  chargeOp(): void {
    this.#meter.charge(HOST_COST.call + HOST_COST.fileOp);
  }

  chargeBytes(bytes: number): void {
    this.#meter.charge(hostBytesCost(bytes));
  }

  /** `path` relative to the directory `dir`, checked: never outside the volume. */
  resolve(dir: Inode, path: string): ResolvedPath {
    if (!dir.isDirectory) fsFail("not-directory");
    if (dir.path === null) fsFail("no-entry");
    const parsed = parseRelative(path);
    const resolved = joinPath(dir.path, parsed.segments);
    checkPathBytes(resolved, this.limits.maxPathBytes);
    return { path: resolved, self: parsed.segments.length === 0, mustBeDirectory: parsed.mustBeDirectory };
  }

  /** The node a path names, or the WASI error for why there is none. */
  async existing(at: ResolvedPath): Promise<Inode> {
    const inode = await this.nodes.lookup(at.path);
    if (inode === null) return this.missing(at.path);
    if (at.mustBeDirectory && !inode.isDirectory) fsFail("not-directory");
    return inode;
  }

  /** Why `path` names nothing: "not-directory" if a file stands where a directory should. */
  async missing(path: string): Promise<never> {
    let [parent] = splitPath(path);
    while (path !== "") {
      const inode = await this.nodes.lookup(parent);
      if (inode !== null) fsFail(inode.isDirectory ? "no-entry" : "not-directory");
      path = parent;
      [parent] = splitPath(parent);
    }
    return fsFail("no-entry");
  }

  /** The directory a new node at `path` goes into. */
  async parentOf(path: string): Promise<Inode> {
    const [parent] = splitPath(path);
    const inode = await this.nodes.lookup(parent);
    if (inode === null) return this.missing(parent);
    if (!inode.isDirectory) fsFail("not-directory");
    return inode;
  }

  /** Up to `length` bytes at `offset` (null: at or past the end). */
  async read(inode: Inode, offset: number, length: number): Promise<Uint8Array | null> {
    if (offset >= inode.size) return null;
    const take = Math.min(length, inode.size - offset, MAX_READ_BYTES);
    this.chargeBytes(take);
    return this.pages.read(inode, offset, take);
  }

  async write(inode: Inode, offset: number, bytes: Uint8Array): Promise<void> {
    this.chargeBytes(bytes.length);
    const old = inode.size;
    this.nodes.resize(inode, Math.max(old, offset + bytes.length));
    await this.pages.write(inode, offset, bytes, old);
  }

  async writeZeroes(inode: Inode, offset: number, length: number): Promise<void> {
    this.chargeBytes(length);
    const old = inode.size;
    this.nodes.resize(inode, Math.max(old, offset + length));
    await this.pages.zero(inode, offset, length, old);
  }

  async setSize(inode: Inode, size: number): Promise<void> {
    this.nodes.admit(inode, size);
    if (size < inode.size) await this.pages.truncate(inode, size);
    this.nodes.resize(inode, size);
  }
}
