// A sandbox without JSPI (PAGE_MODE=prefetch) cannot suspend a guest, so it
// cannot wait for a callee: every call answers DISCONNECTED, nothing leaves,
// and the caller's run goes on. Runs in the workers-prefetch project only.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HostStatus } from "../../src/protocol/host-status.js";
import { CallScript, callOutputAt } from "./support/call-script.js";
import { probe, run, stored } from "./support/calls.js";

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
