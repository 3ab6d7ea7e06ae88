// An instance's pub-sub state: its feed and subscriptions (publisher side),
// its inbox (subscriber side) and the blocks both keep, plus what running
// transactions staged. A run's publishes and consumption commit with it.
import type { Clock } from "../../clock.js";
import { EdgeError } from "../../errors.js";
import { parseId } from "../../identity/ids.js";
import { BLOCK_QUOTA_BYTES, INBOX_WINDOW_BYTES, INBOX_WINDOW_ENTRIES } from "../../limits.js";
import type { Delivery, DeliveryAck, InboxEntry, PubSubChanges } from "../../protocol/pubsub-port.js";
import { within, type CallPath } from "../../protocol/transaction.js";
import { blobOf, type SqlPort } from "../sql/sql-port.js";
import { BlockStore } from "./block-store.js";
import { FeedTables } from "./feed-tables.js";
import { InboxTables } from "./inbox-tables.js";
import { RequestTables } from "./request-tables.js";

export class PubSubStore {
  readonly blocks: BlockStore;
  readonly feed: FeedTables;
  readonly inbox: InboxTables;
  readonly requests: RequestTables;
  readonly #sql: SqlPort;
  readonly #clock: Clock;
  readonly #quotaBytes: number;
  readonly #released: () => void;

  /** `released`: blocks were let go, so the alarm has frames to reclaim. */
  constructor(sql: SqlPort, clock: Clock, released: () => void, quotaBytes = BLOCK_QUOTA_BYTES) {
    this.#sql = sql;
    this.#clock = clock;
    this.#released = released;
    this.#quotaBytes = quotaBytes;
    this.blocks = new BlockStore(sql);
    this.feed = new FeedTables(sql);
    this.inbox = new InboxTables(sql);
    this.requests = new RequestTables(sql);
    sql.exec(`CREATE TABLE IF NOT EXISTS txn_shm (
      ord INTEGER PRIMARY KEY AUTOINCREMENT,
      txid TEXT NOT NULL,
      path TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('publish', 'consume', 'subscribe', 'unsubscribe')),
      bytes BLOB,
      publisher TEXT,
      seq INTEGER)`);
  }

  /** The inbox entries a run sees first (bounded), less what `txid` already consumed. */
  window(txid?: string): InboxEntry[] {
    const taken = new Set(txid === undefined ? [] : this.#staged(txid).consumed.map(keyOf));
    const out: InboxEntry[] = [];
    let bytes = 0;
    for (const row of this.inbox.entries(INBOX_WINDOW_ENTRIES + taken.size)) {
      if (taken.has(keyOf(row))) continue;
      if (out.length === INBOX_WINDOW_ENTRIES || bytes + row.size > INBOX_WINDOW_BYTES) break;
      bytes += row.size;
      out.push({
        publisher: parseId(row.publisher, "publisher"),
        seq: row.seq,
        bytes: row.block === null ? null : this.blocks.read(row.block),
        missed: row.missed,
      });
    }
    return out;
  }

  /** Commits a run's changes (inside its SQL transaction); returns bytes written. */
  apply(changes: PubSubChanges): number {
    let written = 0;
    const released: number[] = [];
    for (const bytes of changes.published) {
      const { dropped } = this.feed.publish(this.blocks.put(bytes), bytes.length, this.#clock.now());
      released.push(...dropped);
      written += bytes.length;
    }
    for (const { publisher, seq } of changes.consumed) {
      const block = this.inbox.remove(publisher, seq);
      if (block !== null) released.push(block);
    }
    for (const request of changes.subscriptions) this.requests.add(request);
    for (const block of released) this.blocks.release(block);
    this.#checkQuota(0);
    if (released.length > 0) this.#released();
    return written;
  }

  /** A subscriber's DO takes a delivery: in order, duplicates skipped, until its inbox is full. */
  accept(publisher: string, delivery: Delivery): DeliveryAck {
    return this.#sql.transaction(() => {
      let through = this.inbox.lastSeq(publisher);
      const { gap } = delivery;
      if (gap && gap.from + gap.count - 1 > through) {
        if (!this.inbox.hasRoom(publisher)) return { through, full: true };
        this.inbox.add({ publisher, seq: gap.from, block: null, size: 0, missed: gap.count });
        through = gap.from + gap.count - 1;
      }
      for (const { seq, bytes } of delivery.entries) {
        if (seq <= through) continue;
        if (!this.inbox.hasRoom(publisher) || this.blocks.heldBytes() + bytes.length > this.#quotaBytes) {
          return { through, full: true };
        }
        this.inbox.add({ publisher, seq, block: this.blocks.put(bytes), size: bytes.length, missed: 0 });
        through = seq;
      }
      return { through, full: false };
    });
  }

  stage(txid: string, path: CallPath, changes: PubSubChanges): boolean {
    const incoming = changes.published.reduce((sum, bytes) => sum + bytes.length, 0);
    this.#checkQuota(incoming + this.#stagedBytes(txid));
    for (const bytes of changes.published) {
      this.#sql.exec(
        "INSERT INTO txn_shm (txid, path, kind, bytes) VALUES (?, ?, 'publish', ?)",
        txid,
        path,
        bytes,
      );
    }
    for (const { publisher, seq } of changes.consumed) {
      this.#sql.exec(
        "INSERT INTO txn_shm (txid, path, kind, publisher, seq) VALUES (?, ?, 'consume', ?, ?)",
        txid,
        path,
        publisher,
        seq,
      );
    }
    for (const { publisher, subscribe } of changes.subscriptions) {
      this.#sql.exec(
        "INSERT INTO txn_shm (txid, path, kind, publisher) VALUES (?, ?, ?, ?)",
        txid,
        path,
        subscribe ? "subscribe" : "unsubscribe",
        publisher,
      );
    }
    return changes.published.length + changes.consumed.length + changes.subscriptions.length > 0;
  }

  discard(txid: string, prefixes: readonly CallPath[]): void {
    if (prefixes.length === 0) return;
    for (const row of this.#sql.exec("SELECT DISTINCT path FROM txn_shm WHERE txid = ?", txid)) {
      const path = String(row.path);
      if (prefixes.some((prefix) => within(path, prefix)))
        this.#sql.exec("DELETE FROM txn_shm WHERE txid = ? AND path = ?", txid, path);
    }
  }

  applyStaged(txid: string): number {
    const written = this.apply(this.#staged(txid));
    this.drop(txid);
    return written;
  }

  drop(txid: string): void {
    this.#sql.exec("DELETE FROM txn_shm WHERE txid = ?", txid);
  }

  #staged(txid: string): PubSubChanges {
    const changes: PubSubChanges = { published: [], consumed: [], subscriptions: [] };
    for (const row of this.#sql.exec(
      "SELECT kind, bytes, publisher, seq FROM txn_shm WHERE txid = ? ORDER BY ord",
      txid,
    )) {
      if (row.kind === "publish") changes.published.push(blobOf(row.bytes));
      else if (row.kind === "consume")
        changes.consumed.push({ publisher: String(row.publisher), seq: Number(row.seq) });
      else
        changes.subscriptions.push({ publisher: String(row.publisher), subscribe: row.kind === "subscribe" });
    }
    return changes;
  }

  #stagedBytes(txid: string): number {
    const [row] = this.#sql.exec(
      "SELECT COALESCE(SUM(LENGTH(bytes)), 0) AS bytes FROM txn_shm WHERE txid = ? AND kind = 'publish'",
      txid,
    );
    return Number(row?.bytes ?? 0);
  }

  #checkQuota(extra: number): void {
    const held = this.blocks.heldBytes() + extra;
    if (held > this.#quotaBytes) {
      throw new EdgeError(
        "BLOCK_LIMIT",
        `the instance's blocks would hold ${held} bytes; the quota is ${this.#quotaBytes}`,
        {
          details: { quota: this.#quotaBytes, bytes: held },
        },
      );
    }
  }
}

function keyOf(entry: { publisher: string; seq: number }): string {
  return `${entry.publisher}/${entry.seq}`;
}
