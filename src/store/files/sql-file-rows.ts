// FileRows over the instance's SQLite (DO storage in production, node:sqlite in
// tests). One row per 64 KiB page keeps rows far under the 2 MB cap; page
// bytes are fetched FRAMES_PER_SELECT at a time, a 1 MiB result well inside
// the 100 bound parameters. Names sort with SQLite's BINARY collation, which
// compares UTF-8 bytes: the order directory hashes are defined over.
import type { FileKind } from "../../protocol/files-port.js";
import { FRAMES_PER_SELECT } from "../../limits.js";
import { blobOf, intOf, type SqlPort, type SqlRow } from "../sql/sql-port.js";
import type { FileRows, FilesMeta, NodeRow, PageInfo, PageRow } from "./file-rows.js";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS files_nodes (path TEXT PRIMARY KEY, parent TEXT NOT NULL, name TEXT NOT NULL,
     kind TEXT NOT NULL, id INTEGER NOT NULL, size INTEGER NOT NULL, hash BLOB NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS files_nodes_parent ON files_nodes (parent, name)",
  "CREATE INDEX IF NOT EXISTS files_nodes_id ON files_nodes (id)",
  `CREATE TABLE IF NOT EXISTS files_pages (id INTEGER NOT NULL, page INTEGER NOT NULL, data BLOB NOT NULL,
     hash BLOB NOT NULL, PRIMARY KEY (id, page))`,
  `CREATE TABLE IF NOT EXISTS files_staged (key TEXT NOT NULL, id INTEGER NOT NULL, page INTEGER NOT NULL,
     data BLOB NOT NULL, PRIMARY KEY (key, id, page))`,
  `CREATE TABLE IF NOT EXISTS files_meta (singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     version INTEGER NOT NULL, committed_at_ms INTEGER NOT NULL, next_id INTEGER NOT NULL, root BLOB NOT NULL,
     node_count INTEGER NOT NULL, file_count INTEGER NOT NULL, total_bytes INTEGER NOT NULL)`,
];

function kindOf(value: unknown): FileKind {
  if (value === "file" || value === "directory") return value;
  throw new Error(`files_nodes: unknown kind ${String(value)}`);
}

function nodeOf(row: SqlRow): NodeRow {
  return {
    path: String(row.path),
    parent: String(row.parent),
    name: String(row.name),
    kind: kindOf(row.kind),
    id: intOf(row.id),
    size: intOf(row.size),
    hash: blobOf(row.hash),
  };
}

const NODE_COLUMNS = "path, parent, name, kind, id, size, hash";

export class SqlFileRows implements FileRows {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    for (const statement of SCHEMA) sql.exec(statement);
  }

  meta(): FilesMeta | null {
    const [row] = this.#sql.exec("SELECT * FROM files_meta");
    if (!row) return null;
    return {
      version: intOf(row.version),
      committedAtMs: intOf(row.committed_at_ms),
      nextId: intOf(row.next_id),
      root: blobOf(row.root),
      nodeCount: intOf(row.node_count),
      fileCount: intOf(row.file_count),
      totalBytes: intOf(row.total_bytes),
    };
  }

  putMeta(meta: FilesMeta): void {
    this.#sql.exec(
      `INSERT OR REPLACE INTO files_meta (singleton, version, committed_at_ms, next_id, root, node_count,
         file_count, total_bytes) VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
      meta.version,
      meta.committedAtMs,
      meta.nextId,
      meta.root,
      meta.nodeCount,
      meta.fileCount,
      meta.totalBytes,
    );
  }

  node(path: string): NodeRow | null {
    const [row] = this.#sql.exec(`SELECT ${NODE_COLUMNS} FROM files_nodes WHERE path = ?`, path);
    return row ? nodeOf(row) : null;
  }

  children(dir: string): NodeRow[] {
    return this.#sql
      .exec(`SELECT ${NODE_COLUMNS} FROM files_nodes WHERE parent = ? ORDER BY name`, dir)
      .map(nodeOf);
  }

  nodesById(id: number): NodeRow[] {
    return this.#sql.exec(`SELECT ${NODE_COLUMNS} FROM files_nodes WHERE id = ?`, id).map(nodeOf);
  }

  putNode(row: NodeRow): void {
    this.#sql.exec(
      `INSERT OR REPLACE INTO files_nodes (${NODE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      row.path,
      row.parent,
      row.name,
      row.kind,
      row.id,
      row.size,
      row.hash,
    );
  }

  deleteNode(path: string): void {
    this.#sql.exec("DELETE FROM files_nodes WHERE path = ?", path);
  }

  pages(id: number, first: number, count: number): Array<PageRow | null> {
    const found = new Map<number, PageRow>();
    for (let from = first; from < first + count; from += FRAMES_PER_SELECT) {
      const to = Math.min(from + FRAMES_PER_SELECT, first + count);
      const rows = this.#sql.exec(
        "SELECT page, data, hash FROM files_pages WHERE id = ? AND page >= ? AND page < ?",
        id,
        from,
        to,
      );
      for (const row of rows) found.set(intOf(row.page), { bytes: blobOf(row.data), hash: blobOf(row.hash) });
    }
    return Array.from({ length: count }, (_, i) => found.get(first + i) ?? null);
  }

  pageInfos(id: number): PageInfo[] {
    return this.#sql
      .exec("SELECT page, hash, length(data) AS length FROM files_pages WHERE id = ? ORDER BY page", id)
      .map((row) => ({ page: intOf(row.page), hash: blobOf(row.hash), length: intOf(row.length) }));
  }

  putPage(id: number, page: number, row: PageRow): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO files_pages (id, page, data, hash) VALUES (?, ?, ?, ?)",
      id,
      page,
      row.bytes,
      row.hash,
    );
  }

  deletePage(id: number, page: number): void {
    this.#sql.exec("DELETE FROM files_pages WHERE id = ? AND page = ?", id, page);
  }

  deletePagesFrom(id: number, from: number): void {
    this.#sql.exec("DELETE FROM files_pages WHERE id = ? AND page >= ?", id, from);
  }

  putStaged(key: string, id: number, page: number, bytes: Uint8Array): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO files_staged (key, id, page, data) VALUES (?, ?, ?, ?)",
      key,
      id,
      page,
      bytes,
    );
  }

  staged(key: string, id: number, pages: readonly number[]): Array<Uint8Array | null> {
    const wanted = [...new Set(pages)];
    const found = new Map<number, Uint8Array>();
    for (let from = 0; from < wanted.length; from += FRAMES_PER_SELECT) {
      const chunk = wanted.slice(from, from + FRAMES_PER_SELECT);
      const rows = this.#sql.exec(
        `SELECT page, data FROM files_staged WHERE key = ? AND id = ? AND page IN (${chunk.map(() => "?").join(", ")})`,
        key,
        id,
        ...chunk,
      );
      for (const row of rows) found.set(intOf(row.page), blobOf(row.data));
    }
    // A page asked for twice gets its own copy: callers may change what they are handed.
    const handed = new Set<number>();
    return pages.map((page) => {
      const bytes = found.get(page);
      if (!bytes) return null;
      if (handed.has(page)) return bytes.slice();
      handed.add(page);
      return bytes;
    });
  }

  stagedPages(key: string, id: number): number[] {
    return this.#sql
      .exec("SELECT page FROM files_staged WHERE key = ? AND id = ? ORDER BY page", key, id)
      .map((row) => intOf(row.page));
  }

  clearStaged(key: string): void {
    this.#sql.exec("DELETE FROM files_staged WHERE key = ?", key);
  }

  clearAllStaged(): void {
    this.#sql.exec("DELETE FROM files_staged");
  }
}
