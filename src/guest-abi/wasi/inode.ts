// One file or directory as this call sees it. Every path and descriptor that
// names the same inode id shares one Inode object, so an open descriptor keeps
// working after a rename (or an unlink) of its path, as on POSIX.
import { FILE_PAGE_BYTES, type FileEntry, type FileKind } from "../../protocol/files-port.js";

export class Inode {
  readonly id: number;
  readonly kind: FileKind;
  /** Bytes now (0 for a directory). */
  size: number;
  /** The committed entry's hash; null for an inode this call created. */
  readonly committedHash: Uint8Array | null;
  /** The node's current path (null once unlinked): a directory descriptor resolves paths from it. */
  path: string | null;
  /** Some path names it (false once unlinked or replaced). */
  linked = true;
  /** Content changed in this call (writes, truncation, growth). */
  changed = false;
  /** Modifications so far: part of the metadata hash, so it changes with every write. */
  modifications = 0;
  /** Committed pages at or beyond this index read as zeros (a truncation happened). */
  keepBelow: number;
  /** Pages this call staged in the DO. */
  readonly staged = new Set<number>();
  /** Written pages not staged yet; a zero-length page stands for zeros (a truncated-away page). */
  readonly dirty = new Map<number, Uint8Array>();

  constructor(
    id: number,
    kind: FileKind,
    size: number,
    committedHash: Uint8Array | null,
    path: string | null,
  ) {
    this.id = id;
    this.kind = kind;
    this.size = size;
    this.committedHash = committedHash;
    this.path = path;
    this.keepBelow = Math.ceil(size / FILE_PAGE_BYTES);
  }

  static committed(entry: FileEntry): Inode {
    return new Inode(entry.id, entry.kind, entry.size, entry.hash, entry.path);
  }

  static created(id: number, kind: FileKind, path: string): Inode {
    const inode = new Inode(id, kind, 0, null, path);
    inode.changed = kind === "file";
    return inode;
  }

  get isDirectory(): boolean {
    return this.kind === "directory";
  }
}
