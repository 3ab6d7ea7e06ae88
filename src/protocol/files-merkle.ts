// The Merkle tree over an instance's files (docs/files-merkle.md): how the DO
// (BLAKE3 wasm) and a client (@noble/hashes) hash pages, files and
// directories, so both compute the same root. Every hash starts with its own
// tag, so a page can never pass for a directory or a tree node for a leaf.
//
//   page leaf  = H("page"  | page bytes without trailing zeros)
//   file       = H("file"  | u64 size | tree(page leaves))
//   entry leaf = H("entry" | u32 name length | name | kind | child hash)
//   directory  = H("dir"   | u32 count | tree(entry leaves, byte-sorted by name))
//   tree(l)    = l[0] when one leaf, H("empty") when none, else
//                H("node" | tree(left) | tree(right)), left = the largest power of two < n leaves
//
// A page's trailing zeros are dropped before hashing: the file hash binds the
// size, and with it every page's length, so a hole, an explicit zero page and
// a short page hash alike, as they read alike.
import { FILE_PAGE_BYTES, type FileKind } from "./files-port.js";

/** The shape of src/hashing/blake3.ts `Hasher` and of @noble/hashes' `blake3.create()`. */
export interface MerkleHasher {
  update(bytes: Uint8Array): unknown;
  digest(): Uint8Array;
}
export type MerkleHasherFactory = () => MerkleHasher;

export const MERKLE_HASH_BYTES = 32;

const utf8 = new TextEncoder();
// NUL-terminated, so no tag is a prefix of another.
const tag = (name: string): Uint8Array => utf8.encode(`edge-contracts/files/v1/${name}\0`);
const PAGE_TAG = tag("page");
const FILE_TAG = tag("file");
const ENTRY_TAG = tag("entry");
const DIR_TAG = tag("dir");
const NODE_TAG = tag("node");
const EMPTY_TAG = tag("empty");

const KIND_BYTE: Record<FileKind, number> = { file: 0, directory: 1 };

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

function u64(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  return bytes;
}

function hashOf(newHasher: MerkleHasherFactory, ...parts: Uint8Array[]): Uint8Array {
  const hasher = newHasher();
  for (const part of parts) hasher.update(part);
  return hasher.digest();
}

/** `bytes` without its trailing zeros (a view, not a copy). */
export function withoutTrailingZeros(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

/** Leaf hash of one page; a missing page is `new Uint8Array(0)`. */
export function pageLeaf(newHasher: MerkleHasherFactory, page: Uint8Array): Uint8Array {
  return hashOf(newHasher, PAGE_TAG, withoutTrailingZeros(page));
}

/** Pages of a file of `size` bytes. */
export function pageCount(size: number): number {
  return Math.ceil(size / FILE_PAGE_BYTES);
}

/** Bytes page `page` covers in a file of `size` bytes. */
export function pageSpan(size: number, page: number): number {
  return Math.max(0, Math.min(FILE_PAGE_BYTES, size - page * FILE_PAGE_BYTES));
}

function splitPoint(count: number): number {
  let left = 1;
  while (left * 2 < count) left *= 2;
  return left;
}

/** The tree over `leaves` (pages of a file, entries of a directory). */
export function treeRoot(newHasher: MerkleHasherFactory, leaves: readonly Uint8Array[]): Uint8Array {
  const root = (from: number, to: number): Uint8Array => {
    if (to - from === 1) return leaves[from] as Uint8Array;
    const mid = from + splitPoint(to - from);
    return hashOf(newHasher, NODE_TAG, root(from, mid), root(mid, to));
  };
  return leaves.length === 0 ? hashOf(newHasher, EMPTY_TAG) : root(0, leaves.length);
}

/** Sibling hashes from leaf `index` up to the root of the tree over `leaves`, lowest first. */
export function treePath(
  newHasher: MerkleHasherFactory,
  leaves: readonly Uint8Array[],
  index: number,
): Uint8Array[] {
  const path: Uint8Array[] = [];
  let from = 0;
  let to = leaves.length;
  while (to - from > 1) {
    const mid = from + splitPoint(to - from);
    if (index < mid) {
      path.push(treeRoot(newHasher, leaves.slice(mid, to)));
      to = mid;
    } else {
      path.push(treeRoot(newHasher, leaves.slice(from, mid)));
      from = mid;
    }
  }
  return path.toReversed();
}

/** The root a leaf at `index` of `count` leaves implies with `path` (treePath), or null if the path has the wrong length. */
export function rootFromPath(
  newHasher: MerkleHasherFactory,
  leaf: Uint8Array,
  index: number,
  count: number,
  path: readonly Uint8Array[],
): Uint8Array | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 0 || index >= count) {
    return null;
  }
  // Walk down to find which side the leaf is on at each level, then hash up.
  const sides: boolean[] = [];
  let from = 0;
  let to = count;
  while (to - from > 1) {
    const mid = from + splitPoint(to - from);
    sides.push(index < mid);
    if (index < mid) to = mid;
    else from = mid;
  }
  if (sides.length !== path.length) return null;
  let hash = leaf;
  for (let level = 0; level < path.length; level++) {
    const sibling = path[level] as Uint8Array;
    const isLeft = sides[sides.length - 1 - level] as boolean;
    hash = isLeft ? hashOf(newHasher, NODE_TAG, hash, sibling) : hashOf(newHasher, NODE_TAG, sibling, hash);
  }
  return hash;
}

export function fileHash(newHasher: MerkleHasherFactory, size: number, pagesRoot: Uint8Array): Uint8Array {
  return hashOf(newHasher, FILE_TAG, u64(size), pagesRoot);
}

export function entryLeaf(
  newHasher: MerkleHasherFactory,
  name: string,
  kind: FileKind,
  hash: Uint8Array,
): Uint8Array {
  const nameBytes = utf8.encode(name);
  return hashOf(newHasher, ENTRY_TAG, u32(nameBytes.length), nameBytes, Uint8Array.of(KIND_BYTE[kind]), hash);
}

export function directoryHash(
  newHasher: MerkleHasherFactory,
  count: number,
  entriesRoot: Uint8Array,
): Uint8Array {
  return hashOf(newHasher, DIR_TAG, u32(count), entriesRoot);
}

/** A child of a directory as its hash sees it. */
export interface MerkleEntry {
  name: string;
  kind: FileKind;
  hash: Uint8Array;
}

/** Orders names by their UTF-8 bytes (SQLite's BINARY collation), not by UTF-16 code units. */
export function compareNames(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const common = Math.min(x.length, y.length);
  for (let i = 0; i < common; i++) {
    const diff = (x[i] as number) - (y[i] as number);
    if (diff !== 0) return diff;
  }
  return x.length - y.length;
}

/** Leaves and tree root of a directory's entries, which must already be byte-sorted. */
export function directoryTree(
  newHasher: MerkleHasherFactory,
  entries: readonly MerkleEntry[],
): { leaves: Uint8Array[]; entriesRoot: Uint8Array; hash: Uint8Array } {
  const leaves = entries.map((entry) => entryLeaf(newHasher, entry.name, entry.kind, entry.hash));
  const entriesRoot = treeRoot(newHasher, leaves);
  return { leaves, entriesRoot, hash: directoryHash(newHasher, entries.length, entriesRoot) };
}

/** The hash of a directory with no entries: the root before anything was written. */
export function emptyDirectoryHash(newHasher: MerkleHasherFactory): Uint8Array {
  return directoryTree(newHasher, []).hash;
}

/** Hashes a file's content as it streams by, in any chunks, holding 32 bytes per page. */
export class FileContentHasher {
  readonly #newHasher: MerkleHasherFactory;
  readonly #leaves: Uint8Array[] = [];
  readonly #page = new Uint8Array(FILE_PAGE_BYTES);
  #fill = 0;
  #size = 0;

  constructor(newHasher: MerkleHasherFactory) {
    this.#newHasher = newHasher;
  }

  update(bytes: Uint8Array): this {
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(FILE_PAGE_BYTES - this.#fill, bytes.length - offset);
      this.#page.set(bytes.subarray(offset, offset + take), this.#fill);
      this.#fill += take;
      offset += take;
      if (this.#fill === FILE_PAGE_BYTES) this.#flush();
    }
    this.#size += bytes.length;
    return this;
  }

  digest(): { size: number; pagesRoot: Uint8Array; hash: Uint8Array } {
    if (this.#fill > 0) this.#flush();
    const pagesRoot = treeRoot(this.#newHasher, this.#leaves);
    return { size: this.#size, pagesRoot, hash: fileHash(this.#newHasher, this.#size, pagesRoot) };
  }

  #flush(): void {
    this.#leaves.push(pageLeaf(this.#newHasher, this.#page.subarray(0, this.#fill)));
    this.#fill = 0;
  }
}
