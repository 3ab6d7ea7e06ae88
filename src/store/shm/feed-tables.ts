// A publisher's side of pub-sub: its feed (publications numbered from 1, the
// last RETAINED_PUBLICATIONS kept) and the subscriptions it delivers to.
import { EdgeError } from "../../errors.js";
import { MAX_SUBSCRIPTIONS, RETAINED_PUBLICATIONS } from "../../limits.js";
import type { SubscriptionState } from "../../protocol/pubsub-port.js";
import type { SqlPort } from "../sql/sql-port.js";

export interface PublicationRow {
  seq: number;
  block: number;
  size: number;
  publishedAt: number;
}

export interface SubscriptionRow {
  subscriber: string;
  nextSeq: number;
  state: SubscriptionState;
  missed: number;
  retryAt: number | null;
}

export class FeedTables {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS shm_publications (
      seq INTEGER PRIMARY KEY,
      block INTEGER NOT NULL,
      size INTEGER NOT NULL,
      published_at INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS shm_feed (
      one INTEGER PRIMARY KEY CHECK (one = 1),
      next_seq INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS shm_subscriptions (
      subscriber TEXT PRIMARY KEY,
      next_seq INTEGER NOT NULL,
      state TEXT NOT NULL,
      missed INTEGER NOT NULL DEFAULT 0,
      retry_at INTEGER,
      created_at INTEGER NOT NULL)`);
  }

  /** The sequence number the next publication gets. */
  nextSeq(): number {
    const [row] = this.#sql.exec("SELECT next_seq FROM shm_feed WHERE one = 1");
    return Number(row?.next_seq ?? 1);
  }

  /** Records a publication; returns the blocks of those that fell out of retention. */
  publish(block: number, size: number, now: number): { seq: number; dropped: number[] } {
    const seq = this.nextSeq();
    this.#sql.exec(
      "INSERT INTO shm_feed (one, next_seq) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET next_seq = excluded.next_seq",
      seq + 1,
    );
    this.#sql.exec(
      "INSERT INTO shm_publications (seq, block, size, published_at) VALUES (?, ?, ?, ?)",
      seq,
      block,
      size,
      now,
    );
    const old = this.#sql.exec<{ block: number }>(
      "DELETE FROM shm_publications WHERE seq <= ? RETURNING block",
      seq - RETAINED_PUBLICATIONS,
    );
    return { seq, dropped: old.map((row) => Number(row.block)) };
  }

  publications(from = 0, limit = RETAINED_PUBLICATIONS): PublicationRow[] {
    return this.#sql
      .exec(
        "SELECT seq, block, size, published_at FROM shm_publications WHERE seq >= ? ORDER BY seq LIMIT ?",
        from,
        limit,
      )
      .map((row) => ({
        seq: Number(row.seq),
        block: Number(row.block),
        size: Number(row.size),
        publishedAt: Number(row.published_at),
      }));
  }

  publication(seq: number): PublicationRow | null {
    return this.publications(seq, 1).find((row) => row.seq === seq) ?? null;
  }

  /** Bytes of the retained publications that `count` more would push out of retention. */
  bytesPushedOut(count: number): number {
    const [row] = this.#sql.exec(
      "SELECT COALESCE(SUM(size), 0) AS bytes FROM shm_publications WHERE seq <= ?",
      this.nextSeq() - 1 + count - RETAINED_PUBLICATIONS,
    );
    return Number(row?.bytes ?? 0);
  }

  /** The oldest retained sequence number (the next one when nothing is retained). */
  oldestSeq(): number {
    const [row] = this.#sql.exec("SELECT MIN(seq) AS seq FROM shm_publications");
    return row?.seq === null || row?.seq === undefined ? this.nextSeq() : Number(row.seq);
  }

  subscriptions(): SubscriptionRow[] {
    return this.#sql
      .exec(
        "SELECT subscriber, next_seq, state, missed, retry_at FROM shm_subscriptions ORDER BY created_at, subscriber",
      )
      .map((row) => ({
        subscriber: String(row.subscriber),
        nextSeq: Number(row.next_seq),
        state: String(row.state) as SubscriptionState,
        missed: Number(row.missed),
        retryAt: row.retry_at === null ? null : Number(row.retry_at),
      }));
  }

  subscription(subscriber: string): SubscriptionRow | null {
    return this.subscriptions().find((row) => row.subscriber === subscriber) ?? null;
  }

  /** A new subscription gets what is published from now on; an existing one is left as it is. */
  subscribe(subscriber: string, now: number): boolean {
    if (this.subscription(subscriber)) return false;
    if (this.subscriptions().length >= MAX_SUBSCRIPTIONS) {
      throw new EdgeError("SUBSCRIPTION_LIMIT", `a feed has at most ${MAX_SUBSCRIPTIONS} subscriptions`, {
        details: { subscriber },
      });
    }
    const inserted = this.#sql.exec(
      `INSERT INTO shm_subscriptions (subscriber, next_seq, state, created_at) VALUES (?, ?, 'active', ?)
       ON CONFLICT (subscriber) DO NOTHING RETURNING subscriber`,
      subscriber,
      this.nextSeq(),
      now,
    );
    return inserted.length > 0;
  }

  unsubscribe(subscriber: string): boolean {
    return (
      this.#sql.exec("DELETE FROM shm_subscriptions WHERE subscriber = ? RETURNING subscriber", subscriber)
        .length > 0
    );
  }

  /** After a delivery attempt: where the subscription stands now. */
  update(row: SubscriptionRow): void {
    this.#sql.exec(
      "UPDATE shm_subscriptions SET next_seq = ?, state = ?, missed = ?, retry_at = ? WHERE subscriber = ?",
      row.nextSeq,
      row.state,
      row.missed,
      row.retryAt,
      row.subscriber,
    );
  }

  /** The earliest retry the alarm owes a subscription (null: none). */
  nextRetry(): number | null {
    const [row] = this.#sql.exec(
      "SELECT MIN(retry_at) AS at FROM shm_subscriptions WHERE retry_at IS NOT NULL",
    );
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }
}
