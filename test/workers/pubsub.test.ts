// Pub-sub (test:shm/pub-sub) in workerd: publisher and subscriber instances
// with real guests, subscriptions over HTTP, delivery between real DOs,
// bounded inboxes, gaps, atomic publishes and the alarm's retries.
import { SELF, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, errorOf } from "./support/api.js";
import { probe, run, runOk, type Probe } from "./support/calls.js";
import { ATTACH_WRITE, Answer, script } from "./support/shm-script.js";
import { concat } from "../support/bytes.js";
import { INBOX_CAPACITY, RETAINED_PUBLICATIONS } from "../../src/limits.js";

const u32 = (...values: number[]) => {
  const out = new Uint8Array(4 * values.length);
  values.forEach((value, index) => new DataView(out.buffer).setUint32(4 * index, value, true));
  return out;
};

const stub = (id: string) => env.CONTRACTS.get(env.CONTRACTS.idFromName(id));
const publisher = () => probe(false, "shm-publisher");
const subscriber = () => probe(false, "shm-subscriber");

async function subscribe(feed: Probe, who: Probe): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/contracts/${feed.id}/subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ subscriber: who.id }),
  });
}

async function subscriptions(feed: Probe) {
  const response = await SELF.fetch(`${BASE}/v1/contracts/${feed.id}/subscriptions`);
  expect(response.status).toBe(200);
  return (await response.json()) as {
    next: number;
    subscriptions: Array<{
      subscriber: string;
      state: string;
      next: number;
      pending: number;
      queued: number | null;
      missed: number;
      error: { code: string } | null;
    }>;
  };
}

/** Publishes `count` u32s (1..count) from the publisher probe; `trap`: the run traps afterwards. */
function publish(feed: Probe, count: number, trap = false): Promise<Response> {
  return run(feed.id, u32(count, 5, 256, trap ? 1 : 0));
}

interface Received {
  tag: number;
  seq: number;
  value: number;
}

/** What a subscriber probe's run read from its inbox (and consumed, if it commits). */
async function drain(who: Probe, max = 0): Promise<Received[]> {
  const bytes = await runOk(who.id, u32(max));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Received[] = [];
  for (let at = 0; at < bytes.length; at += 13) {
    out.push({
      tag: view.getUint8(at),
      seq: Number(view.getBigUint64(at + 1, true)),
      value: view.getUint32(at + 9, true),
    });
  }
  return out;
}

/** Publications from..to whose values are their sequence numbers less `shift` (each run counts from 1). */
const counting = (from: number, to: number, shift = 0) =>
  Array.from({ length: to - from + 1 }, (_, index) => ({
    tag: 0,
    seq: from + index,
    value: from + index - shift,
  }));

describe("the seed's pub-sub test", () => {
  it("a publisher publishes 20 integers; two subscriber instances each receive all 20 in order", async () => {
    const feed = await publisher();
    const first = await subscriber();
    const second = await subscriber();
    expect((await subscribe(feed, first)).status).toBe(201);
    expect((await subscribe(feed, second)).status).toBe(201);
    expect((await subscribe(feed, second)).status).toBe(200);
    expect(await runOk(feed.id, u32(20))).toEqual(u32(20));
    // Delivered before the publishing run answered.
    expect(await drain(first)).toEqual(counting(1, 20));
    expect(await drain(second)).toEqual(counting(1, 20));
    // Consumed: the next run finds nothing.
    expect(await drain(first)).toEqual([]);
    const listed = await subscriptions(feed);
    expect(listed.next).toBe(21);
    expect(
      listed.subscriptions.map(({ state, next, pending, queued }) => ({ state, next, pending, queued })),
    ).toEqual([
      { state: "active", next: 21, pending: 0, queued: 0 },
      { state: "active", next: 21, pending: 0, queued: 0 },
    ]);
  });
});

describe("atomicity", () => {
  it("a trapped publisher run publishes nothing; a trapped subscriber run consumes nothing", async () => {
    const feed = await publisher();
    const who = await subscriber();
    await subscribe(feed, who);
    const trapped = await publish(feed, 3, true);
    expect(trapped.status).toBe(422);
    expect((await subscriptions(feed)).next).toBe(1);
    expect(await drain(who)).toEqual([]);
    expect((await publish(feed, 3)).status).toBe(200);
    const failed = await run(who.id, u32(0, 1));
    expect(failed.status).toBe(422);
    expect(await drain(who)).toEqual(counting(1, 3));
  });

  it("a publish in a callee commits with the transaction, and not at all when its caller fails", async () => {
    const caller = await probe(false, "shm-script");
    const callee = await probe(false, "shm-script");
    const who = await subscriber();
    await subscribe(callee, who);
    const publishOne = script().publisher(1, 4).allocate(1).publish(1, 1).bytes();
    const ok = await runOk(caller.id, script().call(callee.raw, [], publishOne).bytes());
    expect(new Answer(ok).i32()).toBe(0);
    const failed = await run(caller.id, script().call(callee.raw, [], publishOne).trap().bytes());
    expect(failed.status).toBe(422);
    // The participant delivers after the decision reaches it (waitUntil); its alarm would retry.
    await runDurableObjectAlarm(stub(callee.id));
    expect((await subscriptions(callee)).next).toBe(2);
    expect((await drain(who)).map(({ seq }) => seq)).toEqual([1]);
  });
});

describe("bounded inboxes", () => {
  it("a full inbox stops delivery with SUBSCRIBER_QUEUE_FULL; once drained the alarm delivers the rest", async () => {
    const feed = await publisher();
    const who = await subscriber();
    await subscribe(feed, who);
    expect((await publish(feed, 60)).status).toBe(200);
    expect((await publish(feed, 10)).status).toBe(200);
    const [full] = (await subscriptions(feed)).subscriptions;
    expect(full).toMatchObject({
      state: "queue_full",
      next: INBOX_CAPACITY + 1,
      pending: 6,
      queued: INBOX_CAPACITY,
    });
    expect(full?.error?.code).toBe("SUBSCRIBER_QUEUE_FULL");
    const first = await drain(who);
    expect(first).toEqual([...counting(1, 60), ...counting(61, 64, 60)]);
    expect(await runDurableObjectAlarm(stub(feed.id))).toBe(true);
    expect((await subscriptions(feed)).subscriptions[0]).toMatchObject({
      state: "active",
      pending: 0,
      error: null,
    });
    expect(await drain(who)).toEqual(counting(65, 70, 60));
  });

  it("a subscriber behind the feed's retention is told of the gap, never left with a silent hole", async () => {
    const feed = await publisher();
    const who = await subscriber();
    await subscribe(feed, who);
    expect((await publish(feed, INBOX_CAPACITY)).status).toBe(200);
    const more = RETAINED_PUBLICATIONS + 12;
    expect((await publish(feed, more)).status).toBe(200);
    expect(await drain(who)).toEqual(counting(1, INBOX_CAPACITY));
    await runDurableObjectAlarm(stub(feed.id));
    const total = INBOX_CAPACITY + more;
    const oldest = total - RETAINED_PUBLICATIONS + 1;
    const received = await drain(who);
    expect(received[0]).toEqual({ tag: 2, seq: INBOX_CAPACITY + 1, value: oldest - INBOX_CAPACITY - 1 });
    // The gap takes one of the inbox's places.
    expect(received.slice(1)).toEqual(counting(oldest, oldest + INBOX_CAPACITY - 2, INBOX_CAPACITY));
    expect((await subscriptions(feed)).subscriptions[0]?.missed).toBe(oldest - INBOX_CAPACITY - 1);
  });
});

describe("pub-sub over HTTP", () => {
  it("reads publications and inbox entries, removes a subscription, refuses what is not there", async () => {
    const feed = await publisher();
    const who = await subscriber();
    const notAnInstance = { id: "11111111111111111111111111111111", raw: new Uint8Array(32) };
    const refused = await subscribe(feed, notAnInstance);
    expect(refused.status).toBe(404);
    expect((await errorOf(refused)).code).toBe("CONTRACT_NOT_FOUND");
    // An instance whose code cannot read an inbox is no subscriber.
    const deaf = await subscribe(feed, await probe(false, "call-probe"));
    expect(deaf.status).toBe(400);
    expect((await errorOf(deaf)).message).toMatch(/does not import test:shm\/pub-sub/);
    await subscribe(feed, who);
    await publish(feed, 2);
    const listing = await SELF.fetch(`${BASE}/v1/contracts/${feed.id}/publications`);
    expect(await listing.json()).toMatchObject({
      next: 3,
      retained: [
        { seq: 1, size: 4 },
        { seq: 2, size: 4 },
      ],
    });
    const second = await SELF.fetch(`${BASE}/v1/contracts/${feed.id}/publications/2`);
    expect(second.headers.get("x-sequence")).toBe("2");
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(u32(2));
    const missing = await SELF.fetch(`${BASE}/v1/contracts/${feed.id}/publications/9`);
    expect((await errorOf(missing)).code).toBe("PUBLICATION_NOT_FOUND");
    const inbox = await SELF.fetch(`${BASE}/v1/contracts/${who.id}/inbox`);
    expect(await inbox.json()).toEqual({
      entries: [
        { publisher: feed.id, seq: 1, size: 4, missed: 0 },
        { publisher: feed.id, seq: 2, size: 4, missed: 0 },
      ],
      requests: [],
    });
    const entry = await SELF.fetch(`${BASE}/v1/contracts/${who.id}/inbox/${feed.id}/1`);
    expect(new Uint8Array(await entry.arrayBuffer())).toEqual(u32(1));
    const removed = await SELF.fetch(`${BASE}/v1/contracts/${feed.id}/subscriptions/${who.id}`, {
      method: "DELETE",
    });
    expect(removed.status).toBe(204);
    const again = await SELF.fetch(`${BASE}/v1/contracts/${feed.id}/subscriptions/${who.id}`, {
      method: "DELETE",
    });
    expect((await errorOf(again)).code).toBe("SUBSCRIPTION_NOT_FOUND");
    await publish(feed, 1);
    expect((await drain(who)).map(({ seq }) => seq)).toEqual([1, 2]);
  });
});

describe("review fixes", () => {
  it("what an execution published counts against its 64 MiB until it is handed over: past it, BLOCK_LIMIT", async () => {
    const feed = await probe(false, "shm-script");
    // The probe's static STORAGE (256 KiB) is the one slot: its address is the same in every run.
    const element = 256 * 1024;
    const publishing = (count: number) => {
      const body = script().addStorage(0, element).publisher(64, element);
      for (let block = 1; block <= count; block++) {
        body.allocate(1).attach(block, ATTACH_WRITE).detach(block, element).publish(1, block);
      }
      return body.bytes();
    };
    const fits = new Answer(await runOk(feed.id, publishing(4)));
    expect([fits.storage(), fits.i32()]).toEqual([null, 1]);
    const over = await run(feed.id, publishing((64 * 1024 * 1024) / element + 1));
    expect(over.status).toBe(507);
    expect((await errorOf(over)).code).toBe("BLOCK_LIMIT");
    expect((await subscriptions(feed)).next).toBe(5);
  });

  it("an outer frame does not read again what a re-entrant frame of its transaction consumed", async () => {
    const feed = await publisher();
    const outer = await probe(false, "shm-script-reentrant");
    const middle = await probe(false, "shm-script");
    await runOk(outer.id, script().subscribe(feed.raw).bytes());
    await publish(feed, 3);
    const inner = script().inbox().stream(1).next(1).next(1).bytes();
    const out = new Answer(
      await runOk(
        outer.id,
        script()
          .inbox()
          .stream(1)
          .next(1)
          .call(middle.raw, [], script().call(outer.raw, [], inner).bytes())
          .next(1)
          .bytes(),
      ),
    );
    expect([out.i32(), out.i32()]).toEqual([1, 1]);
    expect(out.next()).toMatchObject({ tag: 0, seq: 1 });
    expect(out.i32()).toBe(0);
    const viaMiddle = new Answer(out.take(out.u32()));
    expect(viaMiddle.i32()).toBe(0);
    const reentered = new Answer(viaMiddle.take(viaMiddle.u32()));
    reentered.i32();
    reentered.i32();
    expect([reentered.next().seq, reentered.next().seq]).toEqual([2, 3]);
    // Back in the outer frame: nothing left, and nothing read twice.
    expect(out.next().tag).toBe(1);
    const inbox = (await (await SELF.fetch(`${BASE}/v1/contracts/${outer.id}/inbox`)).json()) as {
      entries: unknown[];
    };
    expect(inbox.entries).toEqual([]);
  });
});

describe("subscribing from a contract", () => {
  async function inbox(who: Probe) {
    const response = await SELF.fetch(`${BASE}/v1/contracts/${who.id}/inbox`);
    return (await response.json()) as {
      entries: Array<{ publisher: string; seq: number }>;
      requests: Array<{ publisher: string; subscribe: boolean; state: string; error: string | null }>;
    };
  }

  it("takes effect when the run commits; a failed run subscribes to nothing; a refusal is kept with its reason", async () => {
    const feed = await publisher();
    const who = await probe(false, "shm-script");
    const failed = await run(who.id, script().subscribe(feed.raw).trap().bytes());
    expect(failed.status).toBe(422);
    expect((await subscriptions(feed)).subscriptions).toEqual([]);
    expect(new Answer(await runOk(who.id, script().subscribe(feed.raw).bytes())).i32()).toBe(0);
    expect((await subscriptions(feed)).subscriptions.map((row) => row.subscriber)).toEqual([who.id]);
    expect((await inbox(who)).requests).toEqual([]);
    await publish(feed, 2);
    expect((await inbox(who)).entries.map(({ publisher: from, seq }) => ({ from, seq }))).toEqual([
      { from: feed.id, seq: 1 },
      { from: feed.id, seq: 2 },
    ]);
    await runOk(who.id, script().unsubscribe(feed.raw).bytes());
    expect((await subscriptions(feed)).subscriptions).toEqual([]);
    const nobody = new Uint8Array(32).fill(7);
    await runOk(who.id, script().subscribe(nobody).bytes());
    expect((await inbox(who)).requests).toMatchObject([
      { subscribe: true, state: "refused", error: "CONTRACT_NOT_FOUND" },
    ]);
  });
});

describe("local taps and reclaiming", () => {
  it("publisher.subscribers sees what the execution publishes, numbered as it will commit", async () => {
    const feed = await probe(false, "shm-script");
    const out = new Answer(
      await runOk(
        feed.id,
        script()
          .publisher(2, 8)
          .tap(1)
          .stream(1)
          .next(1)
          .allocate(1)
          .addStorage(0, 8)
          .attach(1, ATTACH_WRITE)
          .detach(1, 3)
          .publish(1, 1)
          .next(1)
          .next(1)
          .bytes(),
      ),
    );
    expect([out.i32(), out.i32(), out.i32()]).toEqual([1, 1, 1]);
    expect(out.next().tag).toBe(1);
    expect([out.i32(), out.u32()]).toEqual([1, 0]);
    out.storage();
    out.attach();
    const item = out.next();
    expect(item).toMatchObject({ tag: 0, block: 2, seq: 1 });
    expect(item.publisher).toEqual(feed.raw);
    expect(out.next().tag).toBe(1);
  });

  it("consumed and dropped publications leave orphaned blocks that the alarm reclaims", async () => {
    const feed = await publisher();
    const who = await subscriber();
    await subscribe(feed, who);
    await publish(feed, 3);
    await drain(who);
    const blocks = (id: string) =>
      runInDurableObject(stub(id), (_object, state) => ({
        live: Number(state.storage.sql.exec("SELECT COUNT(*) AS n FROM shm_blocks WHERE live = 1").one().n),
        orphaned: Number(
          state.storage.sql.exec("SELECT COUNT(*) AS n FROM shm_blocks WHERE live = 0").one().n,
        ),
        frames: Number(state.storage.sql.exec("SELECT COUNT(*) AS n FROM shm_block_frames").one().n),
      }));
    expect(await blocks(who.id)).toEqual({ live: 0, orphaned: 3, frames: 3 });
    expect(await runDurableObjectAlarm(stub(who.id))).toBe(true);
    expect(await blocks(who.id)).toEqual({ live: 0, orphaned: 0, frames: 0 });
    expect((await blocks(feed.id)).live).toBe(3);
    expect(concat().length).toBe(0);
  });
});
