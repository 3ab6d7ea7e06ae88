// A sandbox without JSPI (PAGE_MODE=prefetch) cannot suspend a guest, so it
// cannot wait for a callee: every call answers DISCONNECTED, nothing leaves,
// and the caller's run goes on. Memory blocks and pub-sub, whose imports never
// suspend, work as with JSPI. Runs in the workers-prefetch project only.
import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HostStatus } from "../../src/protocol/host-status.js";
import { CallScript, callOutputAt } from "./support/call-script.js";
import { probe, run, runOk, stored } from "./support/calls.js";
import { Answer, script } from "./support/shm-script.js";
import { BASE } from "./support/api.js";

describe("edge_call without JSPI", () => {
  it("answers DISCONNECTED, the callee never runs, the caller goes on without a transaction", async () => {
    expect(env.PAGE_MODE).toBe("prefetch");
    const [a, b] = [await probe(), await probe()];
    const response = await run(a.id, new CallScript().call(b.raw, new CallScript().fail().bytes()).bytes());
    expect(response.status).toBe(200);
    expect(response.headers.get("x-transaction-id")).toBeNull();
    const out = new Uint8Array(await response.arrayBuffer());
    expect(callOutputAt(out, 0)).toMatchObject({ status: HostStatus.DISCONNECTED, end: out.length });
    expect([...(await stored(b.id, 0, 1))]).toEqual([0]);
  });
});

describe("memory blocks and pub-sub without JSPI", () => {
  const u32 = (value: number) => {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value, true);
    return out;
  };

  it("call_blocks answers DISCONNECTED and leaves a transferred block with its caller", async () => {
    const [caller, callee] = [await probe(false, "shm-script"), await probe(false, "shm-script")];
    const out = new Answer(
      await runOk(
        caller.id,
        script()
          .create(8)
          .addStorage(0, 8)
          .call(callee.raw, [[1, 1]], new Uint8Array())
          .attach(1, 0)
          .bytes(),
      ),
    );
    expect([out.i32(), out.storage(), out.i32()]).toEqual([1, null, HostStatus.DISCONNECTED]);
    out.take(out.u32());
    expect(out.attach()).toMatchObject({ ok: true, size: 0 });
  });

  it("publishes and delivers as with JSPI: the imports never suspend", async () => {
    const [feed, who] = [await probe(false, "shm-publisher"), await probe(false, "shm-subscriber")];
    const subscribed = await SELF.fetch(`${BASE}/v1/contracts/${feed.id}/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ subscriber: who.id }),
    });
    expect(subscribed.status).toBe(201);
    expect(await runOk(feed.id, u32(3))).toEqual(u32(3));
    const read = await runOk(who.id, new Uint8Array());
    expect(read.length).toBe(3 * 13);
    expect([0, 1, 2].map((entry) => read[entry * 13 + 9])).toEqual([1, 2, 3]);
  });
});
