// The DO's end of a component call's files: committed nodes and pages read
// from SQLite, and the call's staging area. Arguments come from the sandbox,
// so they are checked here before they reach the store.
import { RpcTarget } from "cloudflare:workers";
import { EdgeError } from "../../errors.js";
import { MAX_FILE_PAGES_PER_RPC } from "../../limits.js";
import {
  FILE_PAGE_BYTES,
  type FileEntry,
  type FilesSource,
  type StagedPage,
} from "../../protocol/files-port.js";

export class FilesTarget extends RpcTarget implements FilesSource {
  readonly #source: FilesSource;

  constructor(source: FilesSource) {
    super();
    this.#source = source;
  }

  lookup(path: string): FileEntry | null | Promise<FileEntry | null> {
    return this.#source.lookup(checkPath(path));
  }

  list(dir: string): FileEntry[] | Promise<FileEntry[]> {
    return this.#source.list(checkPath(dir));
  }

  readPages(id: number, first: number, count: number) {
    checkIndex(id, "file id");
    checkIndex(first, "page");
    if (!Number.isSafeInteger(count) || count < 0 || count > MAX_FILE_PAGES_PER_RPC) {
      throw bad(`a files read moves 0 to ${MAX_FILE_PAGES_PER_RPC} pages`);
    }
    return this.#source.readPages(id, first, count);
  }

  stage(pages: StagedPage[]) {
    if (!Array.isArray(pages) || pages.length > MAX_FILE_PAGES_PER_RPC) {
      throw bad(`a files stage moves at most ${MAX_FILE_PAGES_PER_RPC} pages`);
    }
    for (const page of pages) {
      checkIndex(page.id, "file id");
      checkIndex(page.page, "page");
      if (!(page.bytes instanceof Uint8Array) || page.bytes.length > FILE_PAGE_BYTES) {
        throw bad(`a staged page is at most ${FILE_PAGE_BYTES} bytes`);
      }
    }
    return this.#source.stage(pages);
  }

  readStaged(id: number, pages: number[]) {
    checkIndex(id, "file id");
    if (!Array.isArray(pages) || pages.length > MAX_FILE_PAGES_PER_RPC) {
      throw bad(`a staged read moves at most ${MAX_FILE_PAGES_PER_RPC} pages`);
    }
    for (const page of pages) checkIndex(page, "page");
    return this.#source.readStaged(id, pages);
  }
}

function checkPath(path: unknown): string {
  if (typeof path !== "string") throw bad("a path must be a string");
  return path;
}

function checkIndex(value: unknown, what: string): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw bad(`${what} must be a non-negative integer`);
}

function bad(message: string): EdgeError {
  return new EdgeError("BAD_REQUEST", message);
}
