// The DO's answers to one call's sandbox (FilesSource), synchronous over the
// rows: committed nodes and pages, and the call's own staging area under its
// key. The DO wraps it in an RpcTarget; it checks what the sandbox asks, as
// the sandbox runs untrusted code.
import { EdgeError } from "../../errors.js";
import { MAX_FILE_PAGES_PER_RPC } from "../../limits.js";
import {
  FILE_PAGE_BYTES,
  type FileEntry,
  type FilesLimits,
  type FilesSource,
  type StagedPage,
} from "../../protocol/files-port.js";
import { pageCount } from "../../protocol/files-merkle.js";
import type { FileRows, NodeRow } from "./file-rows.js";

export function entryOf(row: NodeRow): FileEntry {
  return { path: row.path, kind: row.kind, id: row.id, size: row.size, hash: row.hash };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function checkPath(path: unknown): void {
  if (typeof path !== "string") throw new EdgeError("FILES_INVALID_CHANGE", "a path must be a string");
}

export class StoreFilesSource implements FilesSource {
  readonly #rows: FileRows;
  readonly #stagingKey: string;
  readonly #limits: FilesLimits;
  readonly #rootEntry: () => FileEntry;

  constructor(rows: FileRows, stagingKey: string, limits: FilesLimits, rootEntry: () => FileEntry) {
    this.#rows = rows;
    this.#stagingKey = stagingKey;
    this.#limits = limits;
    this.#rootEntry = rootEntry;
  }

  lookup(path: string): FileEntry | null {
    checkPath(path);
    if (path === "") return this.#rootEntry();
    const row = this.#rows.node(path);
    return row ? entryOf(row) : null;
  }

  list(dir: string): FileEntry[] {
    checkPath(dir);
    if (dir !== "" && this.#rows.node(dir)?.kind !== "directory") return [];
    return this.#rows.children(dir).map(entryOf);
  }

  readPages(id: number, first: number, count: number): Array<Uint8Array | null> {
    this.#checkRead(id, first, count);
    return this.#rows.pages(id, first, count).map((row) => row?.bytes ?? null);
  }

  stage(pages: StagedPage[]): void {
    if (!Array.isArray(pages) || pages.length > MAX_FILE_PAGES_PER_RPC) {
      throw new EdgeError("FILES_INVALID_CHANGE", `a stage moves at most ${MAX_FILE_PAGES_PER_RPC} pages`);
    }
    const lastPage = pageCount(this.#limits.maxFileBytes);
    for (const { id, page, bytes } of pages) {
      if (!isCount(id) || id === 0 || !isCount(page) || page >= lastPage) {
        throw new EdgeError("FILES_INVALID_CHANGE", `cannot stage page ${page} of inode ${id}`);
      }
      if (!(bytes instanceof Uint8Array) || bytes.length > FILE_PAGE_BYTES) {
        throw new EdgeError("FILES_INVALID_CHANGE", `a staged page holds at most ${FILE_PAGE_BYTES} bytes`);
      }
    }
    for (const { id, page, bytes } of pages) this.#rows.putStaged(this.#stagingKey, id, page, bytes);
  }

  readStaged(id: number, pages: number[]): Array<Uint8Array | null> {
    if (!Array.isArray(pages) || !pages.every(isCount)) {
      throw new EdgeError("FILES_INVALID_CHANGE", "staged page indices must be integers");
    }
    this.#checkRead(id, 0, pages.length);
    return this.#rows.staged(this.#stagingKey, id, pages);
  }

  #checkRead(id: number, first: number, count: number): void {
    if (!isCount(id) || !isCount(first) || !isCount(count)) {
      throw new EdgeError("FILES_INVALID_CHANGE", "page reads take integer ids, pages and counts");
    }
    const max = Math.max(MAX_FILE_PAGES_PER_RPC, this.#limits.readAheadPages);
    if (count > max) throw new EdgeError("READ_TOO_LARGE", `at most ${max} pages per read`);
  }
}
