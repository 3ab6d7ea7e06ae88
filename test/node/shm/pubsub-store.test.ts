// The pub-sub store and the fan-out over real SQLite (node:sqlite): a feed's
// publications and retention, an inbox's order, duplicates, capacity and
// gaps, staged changes under a transaction, the quota, and delivery rounds
// between two real stores, including a failed delivery and its retry.
import { describe, expect, it } from "vitest";
import { FanOut } from "../../../src/contract/pubsub/fan-out.js";
import type { Delivery, DeliveryAck } from "../../../src/protocol/pubsub-port.js";
import { PubSubStore } from "../../../src/store/shm/pubsub-store.js";
import { INBOX_CAPACITY, RETAINED_PUBLICATIONS } from "../../../src/limits.js";
import { nodeSql } from "../support/node-sql.js";

const FEED = "FeedFeedFeedFeedFeedFeedFeedFeedFeedFeedFeed";
const clock = { now: () => 1_000 };
const bytes = (...values: number[]) => Uint8Array.from(values);
const store = (quota?: number) => {
  let released = 0;
  const opened = new PubSubStore(nodeSql(), clock, () => released++, quota);
  return { store: opened, released: () => released };
};
const entries = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => ({ seq: from + index, bytes: bytes(from + index) }));

describe("a feed", () => {
  it("numbers publications from 1, keeps the last 64, and releases what falls out", () => {
    const { store: feed, released } = store();
    feed.apply({
      published: entries(1, RETAINED_PUBLICATIONS + 2).map((entry) => entry.bytes),
      consumed: [],
      subscriptions: [],
    });
    expect(feed.feed.nextSeq()).toBe(RETAINED_PUBLICATIONS + 3);
    expect(feed.feed.oldestSeq()).toBe(3);
    expect(feed.blocks.read(feed.feed.publication(3)?.block ?? -1)).toEqual(bytes(3));
    expect(feed.feed.publication(2)).toBeNull();
    expect(released()).toBe(1);
    expect(feed.blocks.reclaim()).toBe(2);
    expect(feed.blocks.reclaim()).toBe(0);
  });

  it("stages a transaction's publishes by call path: a discarded subtree's go, the rest commit", () => {
    const { store: feed } = store();
    expect(feed.stage("t1", "r", { published: [bytes(1)], consumed: [], subscriptions: [] })).toBe(true);
    expect(feed.stage("t1", "r.0", { published: [bytes(2)], consumed: [], subscriptions: [] })).toBe(true);
    expect(feed.stage("t1", "r.1", { published: [bytes(3)], consumed: [], subscriptions: [] })).toBe(true);
    expect(feed.stage("t1", "r.2", { published: [], consumed: [], subscriptions: [] })).toBe(false);
    feed.discard("t1", ["r.0"]);
    feed.applyStaged("t1");
    expect(feed.feed.publications().map((row) => feed.blocks.read(row.block))).toEqual([bytes(1), bytes(3)]);
    feed.stage("t2", "r", { published: [bytes(4)], consumed: [], subscriptions: [] });
    feed.drop("t2");
    expect(feed.feed.nextSeq()).toBe(3);
  });

  it("refuses a commit or a stage past the quota with BLOCK_LIMIT, and commits nothing of it", () => {
    const { store: feed } = store(10);
    feed.apply({ published: [new Uint8Array(6)], consumed: [], subscriptions: [] });
    expect(() =>
      feed.stage("t", "r", { published: [new Uint8Array(5)], consumed: [], subscriptions: [] }),
    ).toThrow(expect.objectContaining({ code: "BLOCK_LIMIT" }));
    const sql = nodeSql();
    const guarded = new PubSubStore(sql, clock, () => {}, 10);
    expect(() =>
      sql.transaction(() =>
        guarded.apply({ published: [new Uint8Array(11)], consumed: [], subscriptions: [] }),
      ),
    ).toThrow(expect.objectContaining({ code: "BLOCK_LIMIT" }));
    expect(guarded.feed.nextSeq()).toBe(1);
  });
});

describe("quota under open transactions", () => {
  it("a delivery counts what open transactions staged, so applying their decision never fails", () => {
    const { store: both } = store(64);
    both.stage("t", "r", { published: [new Uint8Array(10)], consumed: [], subscriptions: [] });
    expect(both.accept(FEED, { entries: [{ seq: 1, bytes: new Uint8Array(60) }] })).toEqual({
      through: 0,
      full: true,
    });
    expect(both.accept(FEED, { entries: [{ seq: 1, bytes: new Uint8Array(54) }] })).toEqual({
      through: 1,
      full: false,
    });
    expect(() => both.applyStaged("t")).not.toThrow();
    expect(both.blocks.heldBytes()).toBe(64);
  });

  it("staging counts what the new publications push out of retention, as the commit does", () => {
    const { store: feed } = store(RETAINED_PUBLICATIONS);
    feed.apply({
      published: Array.from({ length: RETAINED_PUBLICATIONS }, () => new Uint8Array(1)),
      consumed: [],
      subscriptions: [],
    });
    expect(feed.blocks.heldBytes()).toBe(RETAINED_PUBLICATIONS);
    expect(feed.stage("t", "r", { published: [new Uint8Array(1)], consumed: [], subscriptions: [] })).toBe(
      true,
    );
    expect(() =>
      feed.stage("t", "r.0", { published: [new Uint8Array(2)], consumed: [], subscriptions: [] }),
    ).toThrow(expect.objectContaining({ code: "BLOCK_LIMIT" }));
  });
});

describe("an inbox", () => {
  it("trims a gap that overlaps what it already has (a lost ack): after it, never a duplicate", () => {
    const { store: inbox } = store();
    inbox.accept(FEED, { entries: entries(1, 2) });
    expect(inbox.accept(FEED, { gap: { from: 1, count: 70 }, entries: entries(71, 72) })).toEqual({
      through: 72,
      full: false,
    });
    expect(inbox.inbox.entries(10).map(({ seq, missed }) => ({ seq, missed }))).toEqual([
      { seq: 1, missed: 0 },
      { seq: 2, missed: 0 },
      { seq: 3, missed: 68 },
      { seq: 71, missed: 0 },
      { seq: 72, missed: 0 },
    ]);
  });

  it("keeps arrival order, drops duplicates, stops when full, and takes a gap before later entries", () => {
    const { store: inbox } = store();
    expect(inbox.accept(FEED, { entries: entries(1, 3) })).toEqual({ through: 3, full: false });
    expect(inbox.accept(FEED, { entries: entries(2, 4) })).toEqual({ through: 4, full: false });
    expect(inbox.inbox.entries(10).map((row) => row.seq)).toEqual([1, 2, 3, 4]);
    expect(inbox.accept(FEED, { entries: entries(5, INBOX_CAPACITY + 10) })).toEqual({
      through: INBOX_CAPACITY,
      full: true,
    });
    const { store: behind } = store();
    expect(behind.accept(FEED, { gap: { from: 1, count: 5 }, entries: entries(6, 7) })).toEqual({
      through: 7,
      full: false,
    });
    expect(
      behind.window().map(({ seq, missed, bytes: data }) => ({ seq, missed, gap: data === null })),
    ).toEqual([
      { seq: 1, missed: 5, gap: true },
      { seq: 6, missed: 0, gap: false },
      { seq: 7, missed: 0, gap: false },
    ]);
  });

  it("a run's window skips what its transaction already consumed; consuming releases the blocks", () => {
    const { store: inbox, released } = store();
    inbox.accept(FEED, { entries: entries(1, 3) });
    inbox.stage("t", "r", { published: [], consumed: [{ publisher: FEED, seq: 1 }], subscriptions: [] });
    expect(inbox.window("t").map((entry) => entry.seq)).toEqual([2, 3]);
    expect(inbox.window().map((entry) => entry.seq)).toEqual([1, 2, 3]);
    inbox.applyStaged("t");
    expect(inbox.window().map((entry) => entry.seq)).toEqual([2, 3]);
    expect(released()).toBe(1);
  });
});

describe("fan-out between two real stores", () => {
  function pair(fail: { times: number }) {
    const { store: feed } = store();
    const subscriber = store().store;
    const wakes: number[] = [];
    const sent: Delivery[] = [];
    const fanOut = new FanOut({
      self: FEED,
      store: () => feed,
      clock,
      wakeAt: (ms) => wakes.push(ms),
      deliver: async (_who, publisher, delivery): Promise<DeliveryAck> => {
        sent.push(delivery);
        if (fail.times-- > 0) throw new Error("the subscriber's DO is down");
        return subscriber.accept(publisher, delivery);
      },
    });
    feed.feed.subscribe("sub", clock.now());
    return { feed, subscriber, fanOut, wakes, sent };
  }

  it("delivers in order, in batches; a failed delivery marks the subscription and the next round retries", async () => {
    const { feed, subscriber, fanOut, wakes } = pair({ times: 1 });
    feed.apply({ published: entries(1, 20).map((entry) => entry.bytes), consumed: [], subscriptions: [] });
    await fanOut.run();
    expect(feed.feed.subscription("sub")).toMatchObject({ state: "unreachable", nextSeq: 1 });
    expect(wakes).toEqual([2_000]);
    await fanOut.run();
    expect(feed.feed.subscription("sub")).toMatchObject({ state: "active", nextSeq: 21, retryAt: null });
    expect(subscriber.inbox.entries(64).map((row) => row.seq)).toEqual(
      entries(1, 20).map((entry) => entry.seq),
    );
  });

  it("a subscriber behind retention gets one gap, then the oldest retained onwards", async () => {
    const { feed, subscriber, fanOut, sent } = pair({ times: 0 });
    feed.apply({
      published: entries(1, RETAINED_PUBLICATIONS + 5).map((entry) => entry.bytes),
      consumed: [],
      subscriptions: [],
    });
    await fanOut.run();
    expect(sent[0]?.gap).toEqual({ from: 1, count: 5 });
    expect(sent.slice(1).every((delivery) => delivery.gap === undefined)).toBe(true);
    expect(subscriber.inbox.entries(1)[0]).toMatchObject({ seq: 1, missed: 5, block: null });
    expect(feed.feed.subscription("sub")).toMatchObject({
      missed: 5,
      nextSeq: INBOX_CAPACITY + 5,
      state: "queue_full",
    });
  });
});
