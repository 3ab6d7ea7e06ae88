// FileRows over plain Maps: the in-memory store the VFS conformance suite and
// unit tests run against. Bytes are copied in and out, as SQLite would.
import { compareNames } from "../../protocol/files-merkle.js";
import type { FileRows, FilesMeta, NodeRow, PageInfo, PageRow } from "./file-rows.js";

const copyNode = (row: NodeRow): NodeRow => ({ ...row, hash: row.hash.slice() });
const pageKey = (id: number, page: number): string => `${id}:${page}`;

export class MemoryFileRows implements FileRows {
  #meta: FilesMeta | null = null;
  readonly #nodes = new Map<string, NodeRow>();
  readonly #byParent = new Map<string, Map<string, NodeRow>>();
  /** Per inode id, its pages by index. */
  readonly #pages = new Map<number, Map<number, PageRow>>();
  readonly #staged = new Map<string, Map<string, Uint8Array>>();

  meta(): FilesMeta | null {
    return this.#meta ? { ...this.#meta, root: this.#meta.root.slice() } : null;
  }

  putMeta(meta: FilesMeta): void {
    this.#meta = { ...meta, root: meta.root.slice() };
  }

  node(path: string): NodeRow | null {
    const row = this.#nodes.get(path);
    return row ? copyNode(row) : null;
  }

  children(dir: string): NodeRow[] {
    const rows = [...(this.#byParent.get(dir)?.values() ?? [])];
    return rows.toSorted((a, b) => compareNames(a.name, b.name)).map(copyNode);
  }

  nodesById(id: number): NodeRow[] {
    return [...this.#nodes.values()].filter((row) => row.id === id).map(copyNode);
  }

  putNode(row: NodeRow): void {
    this.deleteNode(row.path);
    const stored = copyNode(row);
    this.#nodes.set(row.path, stored);
    let siblings = this.#byParent.get(row.parent);
    if (!siblings) this.#byParent.set(row.parent, (siblings = new Map()));
    siblings.set(row.name, stored);
  }

  deleteNode(path: string): void {
    const row = this.#nodes.get(path);
    if (!row) return;
    this.#nodes.delete(path);
    this.#byParent.get(row.parent)?.delete(row.name);
  }

  pages(id: number, first: number, count: number): Array<PageRow | null> {
    const pages = this.#pages.get(id);
    return Array.from({ length: count }, (_, i) => {
      const row = pages?.get(first + i);
      return row ? { bytes: row.bytes.slice(), hash: row.hash.slice() } : null;
    });
  }

  pageInfos(id: number): PageInfo[] {
    return [...(this.#pages.get(id)?.entries() ?? [])]
      .map(([page, row]) => ({ page, hash: row.hash.slice(), length: row.bytes.length }))
      .toSorted((a, b) => a.page - b.page);
  }

  putPage(id: number, page: number, row: PageRow): void {
    let pages = this.#pages.get(id);
    if (!pages) this.#pages.set(id, (pages = new Map()));
    pages.set(page, { bytes: row.bytes.slice(), hash: row.hash.slice() });
  }

  deletePage(id: number, page: number): void {
    this.#pages.get(id)?.delete(page);
  }

  deletePagesFrom(id: number, from: number): void {
    const pages = this.#pages.get(id);
    if (!pages) return;
    for (const page of pages.keys()) if (page >= from) pages.delete(page);
    if (pages.size === 0) this.#pages.delete(id);
  }

  putStaged(key: string, id: number, page: number, bytes: Uint8Array): void {
    let staged = this.#staged.get(key);
    if (!staged) this.#staged.set(key, (staged = new Map()));
    staged.set(pageKey(id, page), bytes.slice());
  }

  staged(key: string, id: number, pages: readonly number[]): Array<Uint8Array | null> {
    const staged = this.#staged.get(key);
    return pages.map((page) => staged?.get(pageKey(id, page))?.slice() ?? null);
  }

  stagedPages(key: string, id: number): number[] {
    const prefix = `${id}:`;
    return [...(this.#staged.get(key)?.keys() ?? [])]
      .filter((k) => k.startsWith(prefix))
      .map((k) => Number(k.slice(prefix.length)))
      .toSorted((a, b) => a - b);
  }

  clearStaged(key: string): void {
    this.#staged.delete(key);
  }

  clearAllStaged(): void {
    this.#staged.clear();
  }
}
