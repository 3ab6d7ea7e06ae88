// The summaries subscribers stand at, by their BLAKE3 (a socket's attachment
// holds the hash: attachments stop at 2 KiB), so a delta is computed once per
// distinct summary. Rows nobody stands at any more are pruned.
import { blobOf, type SqlPort } from "../sql/sql-port.js";

export class SummaryTable {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS ws_summaries (
      hash TEXT PRIMARY KEY,
      summary BLOB NOT NULL)`);
  }

  put(hash: string, summary: Uint8Array): void {
    this.#sql.exec(
      "INSERT INTO ws_summaries (hash, summary) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING",
      hash,
      summary,
    );
  }

  get(hash: string): Uint8Array | null {
    const [row] = this.#sql.exec("SELECT summary FROM ws_summaries WHERE hash = ?", hash);
    return row ? blobOf(row.summary) : null;
  }

  /** Keeps only the summaries in `used`. */
  prune(used: ReadonlySet<string>): void {
    for (const row of this.#sql.exec("SELECT hash FROM ws_summaries")) {
      const hash = String(row.hash);
      if (!used.has(hash)) this.#sql.exec("DELETE FROM ws_summaries WHERE hash = ?", hash);
    }
  }
}
