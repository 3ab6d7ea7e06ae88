// The one metadata row of a contract instance: which code it runs and with
// which parameters. Written once at creation; the instance id is derived from it.
import { blobOf, intOf, type SqlPort } from "../sql/sql-port.js";

export interface InstanceRecord {
  id: string;
  codeHash: string;
  parameters: Uint8Array;
  createdAt: number;
}

export class InstanceTable {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS instance (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      id TEXT NOT NULL,
      code_hash TEXT NOT NULL,
      parameters BLOB NOT NULL,
      created_at INTEGER NOT NULL)`);
  }

  get(): InstanceRecord | null {
    const [row] = this.#sql.exec("SELECT id, code_hash, parameters, created_at FROM instance");
    if (!row) return null;
    return {
      id: String(row.id),
      codeHash: String(row.code_hash),
      parameters: blobOf(row.parameters),
      createdAt: intOf(row.created_at),
    };
  }

  /** Inserts the record unless one exists; returns the stored record and whether it is new. */
  create(record: InstanceRecord): { record: InstanceRecord; created: boolean } {
    const existing = this.get();
    if (existing) return { record: existing, created: false };
    this.#sql.exec(
      "INSERT INTO instance (singleton, id, code_hash, parameters, created_at) VALUES (1, ?, ?, ?, ?)",
      record.id,
      record.codeHash,
      record.parameters,
      record.createdAt,
    );
    return { record, created: true };
  }
}
