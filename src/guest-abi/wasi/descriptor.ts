// wasi:filesystem/types `descriptor` and `directory-entry-stream`. A
// descriptor is a capability: an inode of one volume plus the flags it was
// opened with. Without `read` or `write` the data operations answer
// "bad-descriptor"; a directory opened without `mutate-directory` refuses
// every change below it ("not-permitted"); a read-only volume refuses every
// change ("read-only"). Symlinks and hard links do not exist here.
// Methods that may wait for the DO are async (jco wraps them with
// WebAssembly.Suspending); get-type, get-flags and the *-via-stream
// constructors stay synchronous, as the glue calls them without suspending.
import { fsFail } from "./fs-error.js";
import { FileReader, FileWriter } from "./file-streams.js";
import type { Inode } from "./inode.js";
import { metadataHash, type MetadataHashValue } from "./metadata-hash.js";
import { InputStream, OutputStream } from "./streams.js";
import type { Datetime, ResolvedPath, Volume } from "./volume.js";

export interface DescriptorFlags {
  read?: boolean;
  write?: boolean;
  fileIntegritySync?: boolean;
  dataIntegritySync?: boolean;
  requestedWriteSync?: boolean;
  mutateDirectory?: boolean;
}

export interface OpenFlags {
  create?: boolean;
  directory?: boolean;
  exclusive?: boolean;
  truncate?: boolean;
}

export type DescriptorType = "directory" | "regular-file";

export interface DescriptorStat {
  type: DescriptorType;
  linkCount: bigint;
  size: bigint;
  dataAccessTimestamp: Datetime;
  dataModificationTimestamp: Datetime;
  statusChangeTimestamp: Datetime;
}

export interface DirectoryEntry {
  type: DescriptorType;
  name: string;
}

function typeOf(inode: Inode): DescriptorType {
  return inode.isDirectory ? "directory" : "regular-file";
}

/** A filesize argument as a safe number ("invalid" past 2^53: no file gets that big). */
function offsetOf(value: bigint): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) fsFail("invalid");
  return Number(value);
}

export class DirectoryEntryStream {
  readonly #entries: DirectoryEntry[];
  #next = 0;

  constructor(entries: DirectoryEntry[]) {
    this.#entries = entries;
  }

  readDirectoryEntry(): DirectoryEntry | undefined {
    return this.#entries[this.#next++];
  }
}

export class Descriptor {
  readonly #volume: Volume;
  readonly #inode: Inode;
  readonly #flags: DescriptorFlags;

  constructor(volume: Volume, inode: Inode, flags: DescriptorFlags) {
    this.#volume = volume;
    this.#inode = inode;
    this.#flags = flags;
  }

  readViaStream(offset: bigint): InputStream {
    this.#file("read");
    return new InputStream(new FileReader(this.#volume, this.#inode, offsetOf(offset)));
  }

  writeViaStream(offset: bigint): OutputStream {
    this.#file("write");
    return new OutputStream(new FileWriter(this.#volume, this.#inode, offsetOf(offset)));
  }

  appendViaStream(): OutputStream {
    this.#file("write");
    return new OutputStream(new FileWriter(this.#volume, this.#inode, null));
  }

  advise(_offset: bigint, _length: bigint, _advice: string): void {}

  /** Durability is the commit's business: the call's writes commit with its outcome. */
  syncData(): void {}

  sync(): void {}

  getFlags(): DescriptorFlags {
    return { ...this.#flags };
  }

  getType(): DescriptorType {
    return typeOf(this.#inode);
  }

  async setSize(size: bigint): Promise<void> {
    this.#volume.chargeOp();
    await this.#volume.setSize(this.#file("write"), offsetOf(size));
  }

  /** Timestamps are the commit time, always: accepted and ignored. */
  async setTimes(_access: unknown, _modification: unknown): Promise<void> {
    this.#volume.chargeOp();
    if (this.#volume.readOnly) fsFail("read-only");
  }

  async read(length: bigint, offset: bigint): Promise<[Uint8Array, boolean]> {
    this.#volume.chargeOp();
    const inode = this.#file("read");
    const at = offsetOf(offset);
    const bytes = (await this.#volume.read(inode, at, offsetOf(length))) ?? new Uint8Array(0);
    return [bytes, at + bytes.length >= inode.size];
  }

  async write(buffer: Uint8Array, offset: bigint): Promise<bigint> {
    this.#volume.chargeOp();
    await this.#volume.write(this.#file("write"), offsetOf(offset), buffer);
    return BigInt(buffer.length);
  }

  async readDirectory(): Promise<DirectoryEntryStream> {
    this.#volume.chargeOp();
    // Listing is a right of the directory itself (as in wasmtime), not of the
    // descriptor's `read` flag: the preview1 adapter opens a directory for
    // fd_readdir without it.
    const dir = this.#directory();
    if (dir.path === null) fsFail("no-entry");
    const children = await this.#volume.nodes.list(dir.path);
    this.#volume.chargeBytes(children.length * 64);
    return new DirectoryEntryStream(children.map(({ name, inode }) => ({ type: typeOf(inode), name })));
  }

  async createDirectoryAt(path: string): Promise<void> {
    const at = this.#mutation(path);
    if (at.self || (await this.#volume.nodes.lookup(at.path)) !== null) fsFail("exist");
    await this.#volume.parentOf(at.path);
    this.#volume.nodes.create(at.path, "directory");
  }

  async stat(): Promise<DescriptorStat> {
    this.#volume.chargeOp();
    return this.#stat(this.#inode);
  }

  async statAt(_pathFlags: unknown, path: string): Promise<DescriptorStat> {
    this.#volume.chargeOp();
    return this.#stat(await this.#volume.existing(this.#volume.resolve(this.#directory(), path)));
  }

  async setTimesAt(
    _pathFlags: unknown,
    path: string,
    _access: unknown,
    _modification: unknown,
  ): Promise<void> {
    this.#volume.chargeOp();
    await this.#volume.existing(this.#volume.resolve(this.#directory(), path));
    if (this.#volume.readOnly) fsFail("read-only");
  }

  linkAt(..._args: unknown[]): never {
    return fsFail("not-permitted");
  }

  symlinkAt(..._args: unknown[]): never {
    return fsFail("not-permitted");
  }

  async readlinkAt(path: string): Promise<string> {
    this.#volume.chargeOp();
    await this.#volume.existing(this.#volume.resolve(this.#directory(), path));
    return fsFail("invalid");
  }

  async openAt(
    _pathFlags: unknown,
    path: string,
    open: OpenFlags,
    flags: DescriptorFlags,
  ): Promise<Descriptor> {
    this.#volume.chargeOp();
    const at = this.#volume.resolve(this.#directory(), path);
    const changes = Boolean(open.create || open.truncate || flags.write || flags.mutateDirectory);
    if (changes && this.#volume.readOnly) fsFail("read-only");
    if (changes && !this.#flags.mutateDirectory) fsFail("not-permitted");
    if (open.create && open.directory) fsFail("invalid");
    let inode = await this.#volume.nodes.lookup(at.path);
    if (inode === null) {
      if (!open.create) await this.#volume.missing(at.path);
      if (at.mustBeDirectory || open.directory) fsFail("is-directory");
      await this.#volume.parentOf(at.path);
      inode = this.#volume.nodes.create(at.path, "file");
    } else if (open.create && open.exclusive) {
      fsFail("exist");
    } else if (inode.isDirectory) {
      if (flags.write || open.truncate) fsFail("is-directory");
    } else {
      if (open.directory || at.mustBeDirectory) fsFail("not-directory");
      if (open.truncate && !flags.write) fsFail("invalid");
      if (open.truncate && inode.size > 0) await this.#volume.setSize(inode, 0);
    }
    const opened: DescriptorFlags = inode.isDirectory
      ? { read: Boolean(flags.read), mutateDirectory: Boolean(flags.mutateDirectory) }
      : { read: Boolean(flags.read), write: Boolean(flags.write) };
    return new Descriptor(this.#volume, inode, opened);
  }

  async removeDirectoryAt(path: string): Promise<void> {
    const at = this.#mutation(path);
    if (at.self) fsFail("invalid");
    const inode = await this.#volume.existing(at);
    if (!inode.isDirectory) fsFail("not-directory");
    if ((await this.#volume.nodes.list(at.path)).length > 0) fsFail("not-empty");
    this.#volume.nodes.unlink(at.path, inode);
  }

  async renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): Promise<void> {
    const from = this.#mutation(oldPath);
    if (!(newDescriptor instanceof Descriptor)) fsFail("bad-descriptor");
    if (newDescriptor.#volume !== this.#volume) fsFail("cross-device");
    const to = newDescriptor.#mutation(newPath);
    if (from.self || to.self) fsFail("invalid");
    const inode = await this.#volume.existing(from);
    const replaced = await this.#volume.nodes.lookup(to.path);
    if (replaced === null) {
      if (to.mustBeDirectory && !inode.isDirectory) fsFail("not-directory");
      await this.#volume.parentOf(to.path);
    } else if (replaced !== inode) {
      if (inode.isDirectory && !replaced.isDirectory) fsFail("not-directory");
      if (!inode.isDirectory && replaced.isDirectory) fsFail("is-directory");
      if (replaced.isDirectory && (await this.#volume.nodes.list(to.path)).length > 0) fsFail("not-empty");
    }
    await this.#volume.nodes.rename(from.path, to.path, inode, replaced);
  }

  async unlinkFileAt(path: string): Promise<void> {
    const at = this.#mutation(path);
    const inode = await this.#volume.existing(at);
    if (inode.isDirectory) fsFail("is-directory");
    this.#volume.nodes.unlink(at.path, inode);
  }

  isSameObject(other: Descriptor): boolean {
    return other instanceof Descriptor && other.#volume === this.#volume && other.#inode === this.#inode;
  }

  async metadataHash(): Promise<MetadataHashValue> {
    this.#volume.chargeOp();
    return metadataHash(this.#volume.tag, this.#inode);
  }

  async metadataHashAt(_pathFlags: unknown, path: string): Promise<MetadataHashValue> {
    this.#volume.chargeOp();
    const inode = await this.#volume.existing(this.#volume.resolve(this.#directory(), path));
    return metadataHash(this.#volume.tag, inode);
  }

  #stat(inode: Inode): DescriptorStat {
    const time = this.#volume.timestamp;
    return {
      type: typeOf(inode),
      linkCount: 1n,
      size: BigInt(inode.size),
      dataAccessTimestamp: time,
      dataModificationTimestamp: time,
      statusChangeTimestamp: time,
    };
  }

  /** This descriptor's file, if it was opened for `need`. */
  #file(need: "read" | "write"): Inode {
    if (this.#inode.isDirectory) fsFail("is-directory");
    if (!this.#flags[need]) fsFail("bad-descriptor");
    return this.#inode;
  }

  #directory(): Inode {
    if (!this.#inode.isDirectory) fsFail("not-directory");
    return this.#inode;
  }

  /** A path below this directory that the call is about to change. */
  #mutation(path: string): ResolvedPath {
    this.#volume.chargeOp();
    const dir = this.#directory();
    if (this.#volume.readOnly) fsFail("read-only");
    if (!this.#flags.mutateDirectory) fsFail("not-permitted");
    return this.#volume.resolve(dir, path);
  }
}
