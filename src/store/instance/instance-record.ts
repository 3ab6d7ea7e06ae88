// The one metadata row of a contract instance: which code it runs, with which
// parameters, and which host namespaces that code imports (so each call gets
// only those ports). Written once at creation; the instance id is derived from it.
import { blobOf, intOf, type SqlPort } from "../sql/sql-port.js";

export interface InstanceRecord {
  id: string;
  codeHash: string;
  parameters: Uint8Array;
  createdAt: number;
  /** The host namespaces the code imports; null for an instance created before they were recorded. */
  namespaces: string[] | null;
  /** The code exports `edge_reentrant`: a call may enter it while one of its frames is on the call stack. */
  reentrant: boolean;
}

export class InstanceTable {
  readonly #sql: SqlPort;
  /** The record never changes once written, so every request after the first reads it from here. */
  #record: InstanceRecord | null = null;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS instance (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      id TEXT NOT NULL,
      code_hash TEXT NOT NULL,
      parameters BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      namespaces TEXT,
      reentrant INTEGER NOT NULL DEFAULT 0)`);
    // Instances created before a column existed keep NULL (every namespace's port) and 0 (not re-entrant).
    const [table] = sql.exec("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'instance'");
    if (!String(table?.sql).includes("namespaces"))
      sql.exec("ALTER TABLE instance ADD COLUMN namespaces TEXT");
    if (!String(table?.sql).includes("reentrant"))
      sql.exec("ALTER TABLE instance ADD COLUMN reentrant INTEGER NOT NULL DEFAULT 0");
  }

  get(): InstanceRecord | null {
    if (this.#record) return this.#record;
    const [row] = this.#sql.exec(
      "SELECT id, code_hash, parameters, created_at, namespaces, reentrant FROM instance",
    );
    if (!row) return null;
    this.#record = {
      id: String(row.id),
      codeHash: String(row.code_hash),
      parameters: blobOf(row.parameters),
      createdAt: intOf(row.created_at),
      namespaces: typeof row.namespaces === "string" ? (JSON.parse(row.namespaces) as string[]) : null,
      reentrant: row.reentrant === 1,
    };
    return this.#record;
  }

  /** Inserts the record unless one exists; returns the stored record and whether it is new. */
  create(record: InstanceRecord): { record: InstanceRecord; created: boolean } {
    const existing = this.get();
    if (existing) return { record: existing, created: false };
    this.#sql.exec(
      "INSERT INTO instance (singleton, id, code_hash, parameters, created_at, namespaces, reentrant) VALUES (1, ?, ?, ?, ?, ?, ?)",
      record.id,
      record.codeHash,
      record.parameters,
      record.createdAt,
      record.namespaces === null ? null : JSON.stringify(record.namespaces),
      record.reentrant ? 1 : 0,
    );
    this.#record = record;
    return { record, created: true };
  }
}
