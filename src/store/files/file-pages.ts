// A file's pages as stored: each cut to the span the file's size gives it and
// stripped of trailing zeros, an all-zero page stored as no row. That makes the
// stored form canonical, so hashes (files-merkle.ts) and reads agree whatever
// route the bytes took.
import { FILE_PAGE_BYTES, type ContentChange } from "../../protocol/files-port.js";
import { bytesEqual } from "../../bytes.js";
import {
  fileHash,
  pageCount,
  pageLeaf,
  pageSpan,
  treeRoot,
  withoutTrailingZeros,
  type MerkleHasherFactory,
} from "../../protocol/files-merkle.js";
import type { FileRows } from "./file-rows.js";

/** Staged pages moved into place per SELECT while committing: 1 MiB in memory at a time. */
const STAGED_PAGES_PER_READ = 16;

export interface PagesWritten {
  /** Page rows put or deleted. */
  rows: number;
  bytes: number;
}

/**
 * Stores `bytes` as page `page` of a file of `size` bytes (no row if it holds
 * only zeros); writes nothing if the page already holds those bytes.
 */
function putCanonical(
  rows: FileRows,
  newHasher: MerkleHasherFactory,
  target: { id: number; page: number; size: number; stored: Uint8Array | undefined },
  bytes: Uint8Array,
  written: PagesWritten,
): void {
  const { id, page, size, stored } = target;
  const kept = withoutTrailingZeros(bytes.subarray(0, pageSpan(size, page)));
  if (kept.length === 0) {
    if (!stored) return;
    rows.deletePage(id, page);
  } else {
    const hash = pageLeaf(newHasher, kept);
    if (stored && bytesEqual(stored, hash)) return;
    rows.putPage(id, page, { bytes: kept, hash });
    written.bytes += kept.length;
  }
  written.rows++;
}

/**
 * Applies one content change (call inside the commit's transaction): drops the
 * truncated pages, moves the call's staged pages into place, and cuts a kept
 * last page down to the new size, so bytes past the end read as zeros if the
 * file grows again.
 */
export function applyContent(
  rows: FileRows,
  newHasher: MerkleHasherFactory,
  stagingKey: string,
  change: ContentChange,
  written: PagesWritten,
): void {
  const { id, size } = change;
  const pages = pageCount(size);
  const keepBelow = Math.min(change.keepBelow, pages);
  const before = rows.pageInfos(id);
  if (before.some((info) => info.page >= keepBelow)) {
    rows.deletePagesFrom(id, keepBelow);
    written.rows += before.filter((info) => info.page >= keepBelow).length;
  }
  // Leaf hashes of the pages still stored, to skip rewriting a page with its own bytes.
  const storedHash = new Map(
    before.filter((info) => info.page < keepBelow).map((info) => [info.page, info.hash]),
  );
  const staged = rows.stagedPages(stagingKey, id).filter((page) => page < pages);
  for (let from = 0; from < staged.length; from += STAGED_PAGES_PER_READ) {
    const chunk = staged.slice(from, from + STAGED_PAGES_PER_READ);
    const bytes = rows.staged(stagingKey, id, chunk);
    chunk.forEach((page, i) => {
      const target = { id, page, size, stored: storedHash.get(page) };
      putCanonical(rows, newHasher, target, bytes[i] ?? new Uint8Array(0), written);
    });
  }
  const last = pages - 1;
  const lastInfo = before.find((info) => info.page === last);
  if (last >= 0 && last < keepBelow && !staged.includes(last) && lastInfo) {
    if (lastInfo.length > pageSpan(size, last)) {
      const [row] = rows.pages(id, last, 1);
      if (row) putCanonical(rows, newHasher, { id, page: last, size, stored: undefined }, row.bytes, written);
    }
  }
}

/** The hash of file `id` of `size` bytes from its stored page hashes (a missing page is a hole). */
export function storedFileHash(
  rows: FileRows,
  newHasher: MerkleHasherFactory,
  id: number,
  size: number,
  holeLeaf: Uint8Array,
): { hash: Uint8Array; pagesRoot: Uint8Array } {
  const leaves = Array.from({ length: pageCount(size) }, () => holeLeaf);
  for (const info of rows.pageInfos(id)) if (info.page < leaves.length) leaves[info.page] = info.hash;
  const pagesRoot = treeRoot(newHasher, leaves);
  return { hash: fileHash(newHasher, size, pagesRoot), pagesRoot };
}

/** Bytes [offset, offset + length) of file `id` (clipped to `size`), a page at a time, holes as zeros. */
export function* readFileRange(
  rows: FileRows,
  id: number,
  size: number,
  offset: number,
  length: number,
  pagesPerRead: number,
): Generator<Uint8Array<ArrayBuffer>> {
  const end = Math.min(size, offset + length);
  if (offset >= end) return;
  const firstPage = Math.floor(offset / FILE_PAGE_BYTES);
  const lastPage = Math.floor((end - 1) / FILE_PAGE_BYTES);
  for (let batch = firstPage; batch <= lastPage; batch += pagesPerRead) {
    const count = Math.min(pagesPerRead, lastPage + 1 - batch);
    const stored = rows.pages(id, batch, count);
    for (let i = 0; i < count; i++) {
      const page = batch + i;
      const pageStart = page * FILE_PAGE_BYTES;
      const from = Math.max(offset, pageStart) - pageStart;
      const to = Math.min(end, pageStart + FILE_PAGE_BYTES) - pageStart;
      const out = new Uint8Array(to - from);
      const bytes = stored[i]?.bytes;
      if (bytes) out.set(bytes.subarray(from, Math.min(to, bytes.length)));
      yield out;
    }
  }
}
