// An instance's files in the DO (issue 12, docs/files-merkle.md): nodes by
// path, 64 KiB pages by inode id, a Merkle root per commit. The sandbox reads
// through `source`, stages its writes under its call's key, and the DO
// commits the call's changes with its outcome; HTTP reads go through the
// read helpers below.
import { concatBytes } from "@noble/hashes/utils.js";
import { EdgeError } from "../../errors.js";
import type { FileEntry, FilesChanges, FilesLimits, FilesSnapshot } from "../../protocol/files-port.js";
import { emptyDirectoryHash, pageLeaf, type MerkleHasherFactory } from "../../protocol/files-merkle.js";
import type { FilesProof } from "../../protocol/files-proof.js";
import { readFileRange } from "./file-pages.js";
import { pathProblem } from "./file-paths.js";
import { buildProof } from "./file-proofs.js";
import type { FileRows, FilesMeta } from "./file-rows.js";
import { commitChanges, type CommitResult } from "./files-commit.js";
import { entryOf, StoreFilesSource } from "./files-source.js";

/** readRange answers at most this much at once; larger reads stream with `chunks`. */
export const MAX_READ_RANGE_BYTES = 16 * 1024 * 1024;

/** Pages fetched per SELECT while streaming a file out: 1 MiB of read-ahead. */
const STREAM_PAGES_PER_READ = 16;

export type { CommitResult } from "./files-commit.js";

export class FileStore {
  readonly #rows: FileRows;
  readonly #newHasher: MerkleHasherFactory;
  readonly #limits: FilesLimits;
  readonly #holeLeaf: Uint8Array;
  readonly #emptyRoot: Uint8Array;

  constructor(rows: FileRows, newHasher: MerkleHasherFactory, limits: FilesLimits) {
    this.#rows = rows;
    this.#newHasher = newHasher;
    this.#limits = limits;
    this.#holeLeaf = pageLeaf(newHasher, new Uint8Array(0));
    this.#emptyRoot = emptyDirectoryHash(newHasher);
  }

  #meta(): FilesMeta {
    return (
      this.#rows.meta() ?? {
        version: 0,
        committedAtMs: 0,
        nextId: 1,
        root: this.#emptyRoot.slice(),
        nodeCount: 0,
        fileCount: 0,
        totalBytes: 0,
      }
    );
  }

  snapshot(): FilesSnapshot {
    const { root, version, committedAtMs, nextId, fileCount, nodeCount, totalBytes } = this.#meta();
    return { root, version, committedAtMs, nextId, fileCount, nodeCount, totalBytes };
  }

  /** One call's view: committed files plus the staging area under `stagingKey`. */
  source(stagingKey: string): StoreFilesSource {
    return new StoreFilesSource(this.#rows, stagingKey, this.#limits, () => this.#rootEntry());
  }

  /** Drops every call's staged pages: before each call and after a failed one (one call runs at a time). */
  discardStaged(): void {
    this.#rows.clearAllStaged();
  }

  /** Applies a call's changes; call inside the transaction that commits the call. */
  commit(changes: FilesChanges, atMs: number): CommitResult {
    return commitChanges(
      {
        rows: this.#rows,
        newHasher: this.#newHasher,
        limits: this.#limits,
        holeLeaf: this.#holeLeaf,
        meta: this.#meta(),
      },
      changes,
      atMs,
    );
  }

  /** The committed node at `path` ("" the root), null if there is none or the path is malformed. */
  entry(path: string): FileEntry | null {
    if (path === "") return this.#rootEntry();
    if (pathProblem(path)) return null;
    const row = this.#rows.node(path);
    return row ? entryOf(row) : null;
  }

  /** Children of directory `dir`, byte-sorted by name; null if `dir` is not a committed directory. */
  list(dir: string): FileEntry[] | null {
    if (this.entry(dir)?.kind !== "directory") return null;
    return this.#rows.children(dir).map(entryOf);
  }

  /** Bytes [offset, offset + length) of a committed file, clipped to its size, a page per chunk. */
  chunks(file: FileEntry, offset = 0, length = Number.POSITIVE_INFINITY): Generator<Uint8Array<ArrayBuffer>> {
    if (file.kind !== "file")
      throw new EdgeError("BAD_REQUEST", `${JSON.stringify(file.path)} is not a file`);
    if (!Number.isSafeInteger(offset) || offset < 0 || !(length >= 0)) {
      throw new EdgeError("BAD_REQUEST", "a range needs a non-negative offset and length");
    }
    return readFileRange(this.#rows, file.id, file.size, offset, length, STREAM_PAGES_PER_READ);
  }

  /** Bytes [offset, offset + length) of file `path`, clipped to its size; throws NOT_FOUND if no file. */
  readRange(path: string, offset: number, length: number): Uint8Array {
    const file = this.entry(path);
    if (file?.kind !== "file") throw new EdgeError("NOT_FOUND", `no file at ${JSON.stringify(path)}`);
    const total = Math.max(0, Math.min(file.size, offset + length) - offset);
    if (total > MAX_READ_RANGE_BYTES) {
      throw new EdgeError("READ_TOO_LARGE", `read at most ${MAX_READ_RANGE_BYTES} bytes at once`);
    }
    return concatBytes(...this.chunks(file, offset, length));
  }

  /** The inclusion proof of `path` under the current root, null if no node is there. */
  proof(path: string): FilesProof | null {
    if (path !== "" && pathProblem(path)) return null;
    return buildProof(this.#rows, this.#newHasher, path, this.#meta().root, this.#holeLeaf);
  }

  #rootEntry(): FileEntry {
    return { path: "", kind: "directory", id: 0, size: 0, hash: this.#meta().root };
  }
}
