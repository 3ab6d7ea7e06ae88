// The narrow storage the file store's logic runs on: nodes by path, pages by
// (id, page) with their leaf hashes, a call's staged pages, one meta row.
// Production has it over DO SQLite (sql-file-rows.ts); tests also run the same
// logic over plain Maps (memory-file-rows.ts) to pin the port's contract.
import type { FileKind } from "../../protocol/files-port.js";

export interface NodeRow {
  /** Never "" (the root directory lives in the meta row). */
  path: string;
  /** The parent directory's path ("" for a child of the root). */
  parent: string;
  /** The last segment of `path`. */
  name: string;
  kind: FileKind;
  id: number;
  size: number;
  hash: Uint8Array;
}

export interface PageRow {
  /** Without trailing zeros, never empty (an all-zero page has no row). */
  bytes: Uint8Array;
  /** pageLeaf(bytes). */
  hash: Uint8Array;
}

export interface PageInfo {
  page: number;
  hash: Uint8Array;
  length: number;
}

export interface FilesMeta {
  version: number;
  committedAtMs: number;
  nextId: number;
  /** The root directory's hash. */
  root: Uint8Array;
  /** Nodes, the root not counted. */
  nodeCount: number;
  fileCount: number;
  totalBytes: number;
}

export interface FileRows {
  meta(): FilesMeta | null;
  putMeta(meta: FilesMeta): void;

  node(path: string): NodeRow | null;
  /** Direct children of `dir`, ordered by the UTF-8 bytes of their names. */
  children(dir: string): NodeRow[];
  /** Nodes holding inode `id` (one, unless something went wrong). */
  nodesById(id: number): NodeRow[];
  putNode(row: NodeRow): void;
  deleteNode(path: string): void;

  /** Pages [first, first + count) of `id`, null where none is stored. */
  pages(id: number, first: number, count: number): Array<PageRow | null>;
  /** Every stored page of `id` without its bytes, by page index. */
  pageInfos(id: number): PageInfo[];
  putPage(id: number, page: number, row: PageRow): void;
  deletePage(id: number, page: number): void;
  /** Drops pages of `id` with index >= `from`. */
  deletePagesFrom(id: number, from: number): void;

  putStaged(key: string, id: number, page: number, bytes: Uint8Array): void;
  /** The staged pages `pages` of `id` under `key`, null where none. */
  staged(key: string, id: number, pages: readonly number[]): Array<Uint8Array | null>;
  /** Page indices of `id` staged under `key`, ascending. */
  stagedPages(key: string, id: number): number[];
  clearStaged(key: string): void;
  clearAllStaged(): void;
}
