// Subscriptions an instance asked for from a contract (subscriber.subscribe):
// recorded when its run commits, sent to the publisher's DO afterwards, and
// kept until the publisher has them (or refused them, and why).
import type { RequestInfo, SubscriptionRequest } from "../../protocol/pubsub-port.js";
import type { SqlPort } from "../sql/sql-port.js";

export class RequestTables {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS shm_requests (
      publisher TEXT PRIMARY KEY,
      subscribe INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'refused')),
      error TEXT,
      retry_at INTEGER)`);
  }

  /** The newest request for a feed replaces an older one. */
  add(request: SubscriptionRequest): void {
    this.#sql.exec(
      `INSERT INTO shm_requests (publisher, subscribe, state) VALUES (?, ?, 'pending')
       ON CONFLICT (publisher) DO UPDATE SET subscribe = excluded.subscribe, state = 'pending', error = NULL, retry_at = NULL`,
      request.publisher,
      request.subscribe ? 1 : 0,
    );
  }

  list(): RequestInfo[] {
    return this.#sql
      .exec("SELECT publisher, subscribe, state, error FROM shm_requests ORDER BY publisher")
      .map((row) => ({
        publisher: String(row.publisher),
        subscribe: Number(row.subscribe) === 1,
        state: String(row.state) as RequestInfo["state"],
        error: row.error === null ? null : String(row.error),
      }));
  }

  pending(): SubscriptionRequest[] {
    return this.list().flatMap((row) =>
      row.state === "pending" ? [{ publisher: row.publisher, subscribe: row.subscribe }] : [],
    );
  }

  /** The publisher has it: nothing more to do (unless a newer request came meanwhile). */
  done(request: SubscriptionRequest): void {
    this.#sql.exec(
      "DELETE FROM shm_requests WHERE publisher = ? AND subscribe = ? AND state = 'pending'",
      request.publisher,
      request.subscribe ? 1 : 0,
    );
  }

  refuse(request: SubscriptionRequest, error: string): void {
    this.#sql.exec(
      "UPDATE shm_requests SET state = 'refused', error = ?, retry_at = NULL WHERE publisher = ? AND subscribe = ?",
      error,
      request.publisher,
      request.subscribe ? 1 : 0,
    );
  }

  retryAt(request: SubscriptionRequest, at: number): void {
    this.#sql.exec("UPDATE shm_requests SET retry_at = ? WHERE publisher = ?", at, request.publisher);
  }

  nextRetry(): number | null {
    const [row] = this.#sql.exec("SELECT MIN(retry_at) AS at FROM shm_requests WHERE state = 'pending'");
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }
}
