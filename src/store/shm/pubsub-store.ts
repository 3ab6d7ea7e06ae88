// An instance's pub-sub state: its feed and subscriptions (publisher side),
// its inbox (subscriber side) and the blocks both keep, plus what running
// transactions staged. A run's publishes and consumption commit with it.
import type { Clock } from "../../clock.js";
import { EdgeError } from "../../errors.js";
import { parseId } from "../../identity/ids.js";
import { BLOCK_QUOTA_BYTES, INBOX_WINDOW_BYTES, INBOX_WINDOW_ENTRIES } from "../../limits.js";
import type {
  Delivery,
  DeliveryAck,
  InboxEntry,
  PubSubChanges,
  PubSubRefresh,
} from "../../protocol/pubsub-port.js";
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

  /**
   * Commits a run's changes (inside its SQL transaction); returns bytes written.
   * `checked`: the quota was checked when they were staged, and a decided
   * commit must not fail now (a participant applying the coordinator's decision).
   */
  apply(changes: PubSubChanges, checked = false): number {
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
    if (!checked) this.#checkQuota(0);
    if (released.length > 0) this.#released();
    return written;
  }

  /** A subscriber's DO takes a delivery: in order, duplicates skipped, until its inbox is full. */
  accept(publisher: string, delivery: Delivery): DeliveryAck {
    return this.#sql.transaction(() => {
      let through = this.inbox.lastSeq(publisher);
      // What this instance's open transactions staged counts too: their commit must never fail.
      let held = this.blocks.heldBytes() + this.#stagedBytes();
      const { gap } = delivery;
      if (gap && gap.from + gap.count - 1 > through) {
        if (!this.inbox.hasRoom(publisher)) return { through, full: true };
        // A gap never covers what the inbox already has (an ack that was lost): it starts after it.
        const from = Math.max(gap.from, through + 1);
        this.inbox.add({ publisher, seq: from, block: null, size: 0, missed: gap.from + gap.count - from });
        through = gap.from + gap.count - 1;
      }
      for (const { seq, bytes } of delivery.entries) {
        if (seq <= through) continue;
        if (!this.inbox.hasRoom(publisher) || held + bytes.length > this.#quotaBytes) {
          return { through, full: true };
        }
        held += bytes.length;
        this.inbox.add({ publisher, seq, block: this.blocks.put(bytes), size: bytes.length, missed: 0 });
        through = seq;
      }
      return { through, full: false };
    });
  }

  stage(txid: string, path: CallPath, changes: PubSubChanges): boolean {
    const incoming = changes.published.reduce((sum, bytes) => sum + bytes.length, 0);
    // As the commit will: what the new publications push out of retention no longer counts.
    const publishing = this.#stagedCount(txid) + changes.published.length;
    this.#checkQuota(incoming - this.feed.bytesPushedOut(publishing));
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

  /** A position in the staged rows, for `changedSince`. */
  mark(): number {
    const [row] = this.#sql.exec("SELECT COALESCE(MAX(ord), 0) AS ord FROM txn_shm");
    return Number(row?.ord ?? 0);
  }

  /** What frames of `txid` staged after `mark`: a re-entered instance's outer frame must not read it again. */
  changedSince(txid: string, mark: number): PubSubRefresh | undefined {
    const rows = this.#sql.exec(
      "SELECT kind, publisher, seq FROM txn_shm WHERE txid = ? AND ord > ?",
      txid,
      mark,
    );
    if (rows.length === 0) return undefined;
    return {
      consumed: rows.flatMap((row) =>
        row.kind === "consume" ? [{ publisher: String(row.publisher), seq: Number(row.seq) }] : [],
      ),
      published: rows.filter((row) => row.kind === "publish").length,
    };
  }

  /** The sequence number the next publication of `txid` would get (after what it staged). */
  nextSeq(txid?: string): number {
    return this.feed.nextSeq() + (txid === undefined ? 0 : this.#stagedCount(txid));
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
    const written = this.apply(this.#staged(txid), true);
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

  /** Publication bytes every open transaction staged here. */
  #stagedBytes(): number {
    const [row] = this.#sql.exec(
      "SELECT COALESCE(SUM(LENGTH(bytes)), 0) AS bytes FROM txn_shm WHERE kind = 'publish'",
    );
    return Number(row?.bytes ?? 0);
  }

  #stagedCount(txid: string): number {
    const [row] = this.#sql.exec(
      "SELECT COUNT(*) AS n FROM txn_shm WHERE txid = ? AND kind = 'publish'",
      txid,
    );
    return Number(row?.n ?? 0);
  }

  /** Kept blocks, what open transactions staged, and `extra`, against the quota. */
  #checkQuota(extra: number): void {
    const held = this.blocks.heldBytes() + this.#stagedBytes() + extra;
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
