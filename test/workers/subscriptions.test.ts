// Live subscriptions in workerd: the append-log contract (summary = entry
// count and byte length, delta = the bytes after it), real DO storage and
// hibernatable WebSockets through the real Worker.
import { env, evictDurableObject, SELF } from "cloudflare:test";
import { base64urlnopad } from "@scure/base";
import { describe, expect, it } from "vitest";
import { BASE, createInstance, errorOf, putState } from "./support/api.js";
import { TestSubscriber } from "./support/subscriber.js";
import { WS_MAX_UNACKED } from "../../src/limits.js";

const utf8 = new TextEncoder();
/** append-log entries: [u32 LE len][bytes]. */
function entries(...texts: string[]): Uint8Array {
  const parts = texts.map((text) => {
    const body = utf8.encode(text);
    const out = new Uint8Array(4 + body.length);
    new DataView(out.buffer).setUint32(0, body.length, true);
    out.set(body, 4);
    return out;
  });
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
const summaryOf = (count: number, bytes: number) => {
  const out = new Uint8Array(16);
  new DataView(out.buffer).setBigUint64(0, BigInt(count), true);
  new DataView(out.buffer).setBigUint64(8, BigInt(bytes), true);
  return out;
};

async function appendLog(...initial: string[]): Promise<string> {
  const id = await createInstance({}, "append-log", new Uint8Array(0));
  expect((await putState(id, entries(...initial))).status).toBe(200);
  return id;
}

function append(id: string, ...texts: string[]): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/contracts/${id}/updates?kind=delta`, {
    method: "POST",
    body: entries(...texts),
  });
}

describe("subscribe", () => {
  it("without a summary gets the whole state, then each committed change as a delta with its version and summary", async () => {
    const id = await appendLog("a");
    const subscriber = await TestSubscriber.open(id);
    const first = await subscriber.next();
    expect(first).toMatchObject({ type: "state", version: 1, seq: 1 });
    expect(first.bytes).toEqual(entries("a"));
    expect(first.summary).toEqual(summaryOf(1, 5));
    expect((await append(id, "bc")).status).toBe(200);
    const second = await subscriber.next();
    expect(second).toMatchObject({ type: "delta", version: 2, seq: 2 });
    expect(second.bytes).toEqual(entries("bc"));
    expect(second.summary).toEqual(summaryOf(2, 11));
    subscriber.close();
  });

  it("three subscribers with different summaries each get the delta from their own", async () => {
    const id = await appendLog("one", "two", "three");
    const query = (count: number, bytes: number) => ({
      summary: base64urlnopad.encode(summaryOf(count, bytes)),
    });
    const [none, some, all] = [
      await TestSubscriber.open(id, query(0, 0)),
      await TestSubscriber.open(id, query(1, 7)),
      await TestSubscriber.open(id, query(3, 23)),
    ];
    expect((await none.next()).bytes).toEqual(entries("one", "two", "three"));
    expect((await some.next()).bytes).toEqual(entries("two", "three"));
    // The third has the head's summary already: it is told where it stands, and nothing else.
    expect(await all.next()).toMatchObject({ type: "ready", version: 1, summary: summaryOf(3, 23) });
    await append(id, "four");
    for (const subscriber of [none, some, all]) {
      const change = await subscriber.next();
      expect(change).toMatchObject({ type: "delta", version: 2 });
      expect(change.bytes).toEqual(entries("four"));
    }
  });

  it("a summary the contract cannot make a delta from gets the whole state instead", async () => {
    const id = await appendLog("one");
    // Claims more bytes than the log has: append-log's get_state_delta refuses it.
    const subscriber = await TestSubscriber.open(id, { summary: base64urlnopad.encode(summaryOf(9, 999)) });
    const answer = await subscriber.next();
    expect(answer).toMatchObject({ type: "state", version: 1 });
    expect(answer.bytes).toEqual(entries("one"));
  });

  it("resumes after a disconnect from the last version seen: no gap, no duplicate", async () => {
    const id = await appendLog("a");
    const first = await TestSubscriber.open(id);
    const seen = await first.next();
    first.close();
    await append(id, "b");
    await append(id, "c");
    const again = await TestSubscriber.open(id, {
      version: String(seen.version),
      summary: base64urlnopad.encode(seen.summary ?? new Uint8Array()),
    });
    const caughtUp = await again.next();
    expect(caughtUp).toMatchObject({ type: "delta", version: 3 });
    expect(caughtUp.bytes).toEqual(entries("b", "c"));
    const current = await TestSubscriber.open(id, {
      version: "3",
      summary: base64urlnopad.encode(caughtUp.summary ?? new Uint8Array()),
    });
    // Told where it stands, summary included, and nothing else.
    expect(await current.next()).toMatchObject({ type: "ready", version: 3, summary: caughtUp.summary });
    expect(await current.quiet()).toBe(true);
  });

  it("keeps subscribers across an eviction of the instance's object (hibernation): the next change arrives", async () => {
    const id = await appendLog("a");
    const subscriber = await TestSubscriber.open(id);
    await subscriber.next();
    await evictDurableObject(env.CONTRACTS.get(env.CONTRACTS.idFromName(id)));
    await append(id, "b");
    const change = await subscriber.next();
    expect(change).toMatchObject({ type: "delta", version: 2 });
    expect(change.bytes).toEqual(entries("b"));
  });

  it("an unchanged update notifies no one", async () => {
    const id = await appendLog("a");
    const subscriber = await TestSubscriber.open(id);
    await subscriber.next();
    const same = await putState(id, entries("a"));
    expect(((await same.json()) as { changed: boolean }).changed).toBe(false);
    expect(await subscriber.quiet()).toBe(true);
    await append(id, "b");
    expect((await subscriber.next()).version).toBe(2);
  });

  it(`closes a subscriber that leaves ${WS_MAX_UNACKED} messages unacknowledged with 4008`, async () => {
    const id = await appendLog("a");
    const slow = await TestSubscriber.open(id, {}, false);
    // One message per commit only when each lands after the last round: commits that meet a due round share it.
    for (let i = 0; i < WS_MAX_UNACKED; i++) {
      await append(id, `e${i}`);
      await slow.next();
    }
    await append(id, "one too many");
    const closed = await slow.closedBy();
    expect(closed.code).toBe(4008);
    expect(closed.reason).toMatch(/too slow/);
  });

  it("refuses a plain GET, an unknown instance and a bad summary before upgrading", async () => {
    const id = await appendLog("a");
    const plain = await SELF.fetch(`${BASE}/v1/contracts/${id}/subscribe`);
    expect(plain.status).toBe(426);
    expect((await errorOf(plain)).code).toBe("UPGRADE_REQUIRED");
    const unknown = await SELF.fetch(`${BASE}/v1/contracts/11111111111111111111111111111111/subscribe`, {
      headers: { upgrade: "websocket" },
    });
    expect(unknown.status).toBe(404);
    const bad = await SELF.fetch(`${BASE}/v1/contracts/${id}/subscribe?version=x`, {
      headers: { upgrade: "websocket" },
    });
    expect(bad.status).toBe(400);
  });
});
