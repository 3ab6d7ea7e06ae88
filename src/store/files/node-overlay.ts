// A commit's pending node table over the committed rows: changes and
// recomputed hashes land here first, so the commit can validate everything
// before it writes anything, and writes each node at most once, and only if
// it differs from its committed row.
import { bytesEqual } from "../../bytes.js";
import { compareNames } from "../../protocol/files-merkle.js";
import type { FileRows, NodeRow } from "./file-rows.js";

function sameNode(a: NodeRow, b: NodeRow): boolean {
  return a.kind === b.kind && a.id === b.id && a.size === b.size && bytesEqual(a.hash, b.hash);
}

export class NodeOverlay {
  readonly #rows: FileRows;
  /** Pending state of each touched path; null: removed. */
  readonly #pending = new Map<string, NodeRow | null>();
  /** Committed row of each touched path, read once. */
  readonly #committed = new Map<string, NodeRow | null>();
  /** Pending rows by parent and by id (path -> row), so a commit touching n paths stays linear. */
  readonly #byParent = new Map<string, Map<string, NodeRow>>();
  readonly #byId = new Map<number, Map<string, NodeRow>>();

  constructor(rows: FileRows) {
    this.#rows = rows;
  }

  committed(path: string): NodeRow | null {
    if (!this.#committed.has(path)) this.#committed.set(path, this.#rows.node(path));
    return this.#committed.get(path) ?? null;
  }

  get(path: string): NodeRow | null {
    return this.#pending.has(path) ? (this.#pending.get(path) ?? null) : this.committed(path);
  }

  set(path: string, row: NodeRow | null): void {
    this.committed(path);
    const before = this.#pending.get(path);
    if (before) {
      this.#byParent.get(before.parent)?.delete(path);
      this.#byId.get(before.id)?.delete(path);
    }
    this.#pending.set(path, row);
    if (!row) return;
    indexed(this.#byParent, row.parent).set(path, row);
    indexed(this.#byId, row.id).set(path, row);
  }

  touched(): string[] {
    return [...this.#pending.keys()];
  }

  children(dir: string): NodeRow[] {
    const byName = new Map<string, NodeRow>();
    for (const row of this.#rows.children(dir)) {
      if (!this.#pending.has(row.path)) byName.set(row.name, row);
    }
    for (const row of this.#byParent.get(dir)?.values() ?? []) byName.set(row.name, row);
    return [...byName.values()].toSorted((a, b) => compareNames(a.name, b.name));
  }

  nodesById(id: number): NodeRow[] {
    const found = this.#rows.nodesById(id).filter((row) => !this.#pending.has(row.path));
    found.push(...(this.#byId.get(id)?.values() ?? []));
    return found;
  }

  /** Writes the pending nodes that differ from their rows; returns how many rows it wrote or deleted. */
  flush(): number {
    let written = 0;
    for (const [path, row] of this.#pending) {
      const committed = this.committed(path);
      if (row === null) {
        if (committed) {
          this.#rows.deleteNode(path);
          written++;
        }
      } else if (!committed || !sameNode(committed, row)) {
        this.#rows.putNode(row);
        written++;
      }
    }
    return written;
  }
}

function indexed<K>(index: Map<K, Map<string, NodeRow>>, key: K): Map<string, NodeRow> {
  let rows = index.get(key);
  if (!rows) index.set(key, (rows = new Map()));
  return rows;
}
