// File content for one volume, page by page. A page is found, in order, among
// the call's dirty pages (held here, up to limits.writeBufferBytes), the pages
// it staged in the DO (source.readStaged), and the committed pages below the
// inode's keepBelow (source.readPages); anything else reads as zeros. Reads
// pull a window of limits.readAheadPages at once into a small LRU, so a
// streamed file is never held whole, and fetch the next window while the
// guest reads this one; writes copy a page into the dirty set and stage them
// all once the buffer is full, the RPCs running while the guest goes on (one
// buffer in flight at most).
//
// Invariant: bytes at or beyond a file's size are zeros in every layer (a
// truncation zeroes the tail of its last page and blanks the pages after it),
// so growing a file never has to touch a page.
import {
  FILE_PAGE_BYTES,
  type FilesLimits,
  type FilesSource,
  type StagedPage,
} from "../../protocol/files-port.js";
import { MAX_FILE_PAGES_PER_RPC } from "../../limits.js";
import type { Inode } from "./inode.js";
import { PageCache } from "./page-cache.js";

const EMPTY = new Uint8Array(0);

export class FilePages {
  readonly #source: FilesSource;
  readonly #limits: FilesLimits;
  readonly #cache: PageCache;
  /** Inodes with dirty pages. */
  readonly #dirtyInodes = new Set<Inode>();
  #dirtyBytes = 0;
  /** The last flush's stage RPCs, running while the guest goes on; what they hold, and how they failed. */
  #staging: Promise<void> = Promise.resolve();
  #stagingBytes = 0;
  #stageError: { error: unknown } | undefined;
  /** The read-ahead window being fetched for the next read of a stream. */
  #prefetch: { id: number; first: number; end: number; done: Promise<void> } | undefined;

  constructor(source: FilesSource, limits: FilesLimits) {
    this.#source = source;
    this.#limits = limits;
    this.#cache = new PageCache(2 * Math.max(1, limits.readAheadPages) + 2);
  }

  /** Page bytes the host holds now (clean cache plus dirty pages): bounded whatever the file sizes. */
  get heldBytes(): number {
    return this.#cache.bytes + this.#dirtyBytes + this.#stagingBytes;
  }

  /** Bytes [offset, offset + length) of the file, which the caller clipped to its size. */
  async read(inode: Inode, offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let at = 0;
    while (at < length) {
      const position = offset + at;
      const page = Math.floor(position / FILE_PAGE_BYTES);
      const within = position - page * FILE_PAGE_BYTES;
      const take = Math.min(FILE_PAGE_BYTES - within, length - at);
      const bytes = await this.#page(inode, page, this.#limits.readAheadPages);
      if (within < bytes.length) out.set(bytes.subarray(within, Math.min(bytes.length, within + take)), at);
      at += take;
    }
    return out;
  }

  /**
   * Writes `bytes` at `offset`. The caller already set the new size; `oldSize` is the size before,
   * so a page wholly past it is known to be zeros and is not loaded.
   */
  async write(inode: Inode, offset: number, bytes: Uint8Array, oldSize: number): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      const position = offset + at;
      const page = Math.floor(position / FILE_PAGE_BYTES);
      const within = position - page * FILE_PAGE_BYTES;
      const take = Math.min(FILE_PAGE_BYTES - within, bytes.length - at);
      const target = await this.#writable(inode, page, take === FILE_PAGE_BYTES, oldSize);
      target.set(bytes.subarray(at, at + take), within);
      at += take;
    }
    await this.#flushIfFull();
  }

  /** Zeros `length` bytes at `offset` (a write of zeros without the buffer). */
  async zero(inode: Inode, offset: number, length: number, oldSize: number): Promise<void> {
    const chunk = new Uint8Array(Math.min(length, FILE_PAGE_BYTES));
    for (let at = 0; at < length; at += chunk.length) {
      await this.write(inode, offset + at, chunk.subarray(0, Math.min(chunk.length, length - at)), oldSize);
    }
  }

  /** Shrinks the file to `size` (the caller sets inode.size after: the pages still know the old one). */
  async truncate(inode: Inode, size: number): Promise<void> {
    const keep = Math.ceil(size / FILE_PAGE_BYTES);
    for (const page of inode.dirty.keys()) {
      if (page >= keep) this.#setDirty(inode, page, undefined);
    }
    // Staged pages cannot be withdrawn: stage zeros over them with the next flush.
    for (const page of inode.staged) {
      if (page >= keep) this.#setDirty(inode, page, EMPTY);
    }
    this.#cache.dropFrom(inode.id, keep);
    inode.keepBelow = Math.min(inode.keepBelow, keep);
    const tail = size - (keep - 1) * FILE_PAGE_BYTES;
    if (size % FILE_PAGE_BYTES !== 0 && size < inode.size) {
      const last = await this.#writable(inode, keep - 1, false, inode.size);
      last.fill(0, tail);
    }
    await this.#flushIfFull();
  }

  /** Stages every dirty page in the DO (before finish, or when the buffer is full); see `settle`. */
  async flush(): Promise<void> {
    // One buffer in flight at most: the previous flush's RPCs end before this one's start.
    await this.settle();
    const pages: StagedPage[] = [];
    const clean: Array<[Inode, number, Uint8Array]> = [];
    for (const inode of this.#dirtyInodes) {
      for (const [page, bytes] of inode.dirty) {
        // Only the bytes inside the file: the rest of a page reads as zeros anyway.
        const inFile = Math.max(0, Math.min(bytes.length, inode.size - page * FILE_PAGE_BYTES));
        // (A fresh empty array for zeros: node:sqlite binds some zero-length views as NULL.)
        pages.push({
          id: inode.id,
          page,
          bytes: inFile === 0 ? new Uint8Array(0) : bytes.subarray(0, inFile),
        });
        inode.staged.add(page);
        clean.push([inode, page, bytes]);
      }
      inode.dirty.clear();
    }
    this.#dirtyInodes.clear();
    this.#stagingBytes = this.#dirtyBytes;
    this.#dirtyBytes = 0;
    this.#staging = this.#stage(pages);
    // The last pages written are the likeliest to be written again (a partial page).
    for (const [inode, page, bytes] of clean.slice(-2)) this.#cache.set(inode.id, page, bytes);
  }

  /** Waits until every staged page has reached the DO; a failed stage fails here. */
  async settle(): Promise<void> {
    await this.#staging;
    if (this.#stageError) throw this.#stageError.error;
  }

  /** One RPC moves at most MAX_FILE_PAGES_PER_RPC pages (1 MiB), so a full buffer goes in batches. */
  async #stage(pages: StagedPage[]): Promise<void> {
    try {
      for (let at = 0; at < pages.length; at += MAX_FILE_PAGES_PER_RPC) {
        await this.#source.stage(pages.slice(at, at + MAX_FILE_PAGES_PER_RPC));
      }
    } catch (error) {
      this.#stageError ??= { error };
    } finally {
      this.#stagingBytes = 0;
    }
  }

  /** Drops what the host holds of a file no path names any more (its staged pages go with the commit). */
  forget(inode: Inode): void {
    for (const page of inode.dirty.keys()) this.#setDirty(inode, page, undefined);
    this.#cache.dropFrom(inode.id, 0);
  }

  /** A page to write into: the dirty page itself, or a fresh copy of what the page holds now. */
  async #writable(inode: Inode, page: number, whole: boolean, oldSize: number): Promise<Uint8Array> {
    const dirty = inode.dirty.get(page);
    if (dirty !== undefined && dirty.length === FILE_PAGE_BYTES) return dirty;
    const target = new Uint8Array(FILE_PAGE_BYTES);
    // A page wholly beyond the old end holds zeros (the invariant): nothing to load.
    if (!whole && page * FILE_PAGE_BYTES < oldSize) target.set(await this.#page(inode, page, 1));
    this.#cache.delete(inode.id, page);
    this.#setDirty(inode, page, target);
    return target;
  }

  #setDirty(inode: Inode, page: number, bytes: Uint8Array | undefined): void {
    this.#dirtyBytes -= inode.dirty.get(page)?.length ?? 0;
    if (bytes === undefined) {
      inode.dirty.delete(page);
    } else {
      inode.dirty.set(page, bytes);
      this.#dirtyBytes += bytes.length;
      this.#dirtyInodes.add(inode);
    }
  }

  async #flushIfFull(): Promise<void> {
    if (this.#dirtyBytes > this.#limits.writeBufferBytes) await this.flush();
  }

  /** A page's bytes (possibly shorter than a page: zeros after), loading a window around it if needed. */
  async #page(inode: Inode, page: number, window: number): Promise<Uint8Array> {
    const dirty = inode.dirty.get(page);
    if (dirty !== undefined) return dirty;
    const pending = this.#prefetch;
    if (pending && pending.id === inode.id && page >= pending.first && page < pending.end) await pending.done;
    const cached = this.#cache.get(inode.id, page);
    if (cached !== undefined) return cached;
    const end = Math.max(page + 1, Math.min(page + Math.max(1, window), pagesOf(inode)));
    await this.#load(inode, page, end, true);
    // A stream reads on: fetch its next window while the guest works through this one.
    if (window > 1 && end < pagesOf(inode)) {
      const next = { id: inode.id, first: end, end: Math.min(end + window, pagesOf(inode)) };
      this.#prefetch = { ...next, done: this.#load(inode, next.first, next.end, false).catch(() => {}) };
    }
    // Inserted last is freshest in the LRU, but `page` itself is what we need now.
    return this.#cache.get(inode.id, page) ?? EMPTY;
  }

  /**
   * Loads pages [first, end) into the cache from the call's staged pages and the committed ones.
   * `first` is wanted now (it is cached even as zeros); the rest only if nothing newer holds
   * them, checked again when the answer comes (a prefetch runs while the guest writes on).
   */
  async #load(inode: Inode, first: number, end: number, wanted: boolean): Promise<void> {
    const current = (p: number) => !inode.dirty.has(p) && this.#cache.get(inode.id, p) === undefined;
    const staged: number[] = [];
    const committed: number[] = [];
    for (let p = first; p < end; p++) {
      if (!(wanted && p === first) && !current(p)) continue;
      if (inode.staged.has(p)) staged.push(p);
      else if (p < inode.keepBelow && inode.committedHash !== null) committed.push(p);
      else if (wanted && p === first) this.#cache.set(inode.id, p, null);
    }
    if (staged.length > 0) {
      await this.settle();
      const answers = await this.#source.readStaged(inode.id, staged);
      staged.forEach((p, i) => {
        if ((wanted && p === first) || current(p)) this.#cache.set(inode.id, p, answers[i] ?? null);
      });
    }
    const low = committed[0];
    const high = committed[committed.length - 1];
    if (low !== undefined && high !== undefined) {
      const answers = await this.#source.readPages(inode.id, low, high - low + 1);
      for (const p of committed) {
        // Written, staged or truncated away meanwhile: the committed bytes are no longer its content.
        const stale = inode.staged.has(p) || p >= inode.keepBelow;
        if ((wanted && p === first) || (current(p) && !stale))
          this.#cache.set(inode.id, p, answers[p - low] ?? null);
      }
    }
  }
}

function pagesOf(inode: Inode): number {
  return Math.ceil(inode.size / FILE_PAGE_BYTES);
}
