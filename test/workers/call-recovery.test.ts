// Transactions across instances under crashes: x-fault-inject (FAULT_INJECTION=1
// in the test bindings only) aborts a DO at a point of the commit protocol,
// evictions drop what a DO held in memory, and alarms (run by the test, never
// waited for) finish what was left in doubt. Every instance must end in the
// decided state, nothing half applied.
import { SELF, env, evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HostStatus } from "../../src/protocol/host-status.js";
import { BASE } from "./support/api.js";
import { CallScript, callOutputAt } from "./support/call-script.js";
import { probe, run, stored, text, txnLeftovers, utf8, type Probe } from "./support/calls.js";

const stub = (id: string) => env.CONTRACTS.get(env.CONTRACTS.idFromName(id));

async function report(txid: string) {
  return (await (await SELF.fetch(`${BASE}/v1/transactions/${txid}`)).json()) as {
    status: string;
    participants: Array<{ id: string; settled: boolean }>;
  };
}

/** A writes "a", calls B which writes "b" and C which writes "c"; `fault` crashes someone on the way. */
async function transfer(fault: string, a: Probe, b: Probe, c: Probe): Promise<Response> {
  const script = new CallScript()
    .write(0, utf8("a"))
    .call(b.raw, new CallScript().write(0, utf8("b")).bytes())
    .call(c.raw, new CallScript().write(0, utf8("c")).bytes())
    .bytes();
  return run(a.id, script, { "x-fault-inject": fault });
}

const first = async (id: string) => text(await stored(id, 0, 1));

describe("recovery after a crash", () => {
  it("a participant that crashes before it commits applies the decision from its alarm, after an eviction too", async () => {
    const [a, b, c] = [await probe(), await probe(), await probe()];
    const response = await transfer(`participant-crash-before-commit@${b.id}`, a, b, c);
    expect(response.status).toBe(200);
    const txid = response.headers.get("x-transaction-id") ?? "";
    // Committed: A and C have it; B holds its staged write, in doubt.
    expect([await first(a.id), await first(c.id), await first(b.id)]).toEqual(["a", "c", "\0"]);
    expect((await report(txid)).participants).toEqual(
      expect.arrayContaining([
        { id: b.id, settled: false },
        { id: c.id, settled: true },
      ]),
    );
    await evictDurableObject(stub(b.id));
    expect(await runDurableObjectAlarm(stub(b.id))).toBe(true);
    expect(await first(b.id)).toBe("b");
    // The coordinator's alarm retells B (a no-op now) and marks it settled.
    expect(await runDurableObjectAlarm(stub(a.id))).toBe(true);
    expect((await report(txid)).participants).toEqual(
      expect.arrayContaining([
        { id: b.id, settled: true },
        { id: c.id, settled: true },
      ]),
    );
  });

  it("a coordinator that crashes after its decision: its own changes are in, the participants finish by alarm", async () => {
    const [a, b, c] = [await probe(), await probe(), await probe()];
    const response = await transfer("coordinator-crash-after-decision", a, b, c);
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(await first(a.id)).toBe("a");
    expect([await first(b.id), await first(c.id)]).toEqual(["\0", "\0"]);
    await evictDurableObject(stub(a.id));
    for (const { id } of [b, c]) expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    expect([await first(a.id), await first(b.id), await first(c.id)]).toEqual(["a", "b", "c"]);
    for (const { id } of [a, b, c]) expect(await txnLeftovers(id)).toEqual({ staged: 0, held: 0 });
  });

  it("a coordinator that crashes before deciding: presumed abort everywhere", async () => {
    const [a, b, c] = [await probe(), await probe(), await probe()];
    const response = await transfer("coordinator-crash-before-decision", a, b, c);
    expect(response.status).toBeGreaterThanOrEqual(500);
    for (const { id } of [b, c, a]) expect(await runDurableObjectAlarm(stub(id))).toBe(true);
    expect([await first(a.id), await first(b.id), await first(c.id)]).toEqual(["\0", "\0", "\0"]);
    for (const { id } of [a, b, c]) expect(await txnLeftovers(id)).toEqual({ staged: 0, held: 0 });
    // Nothing is held any more: each instance takes a new transaction at once.
    const out = new Uint8Array(
      await (
        await run(b.id, new CallScript().call(c.raw, new CallScript().write(0, utf8("C")).bytes()).bytes())
      ).arrayBuffer(),
    );
    expect(callOutputAt(out, 0).status).toBe(HostStatus.OK);
    expect(await first(c.id)).toBe("C");
  });

  it("another transaction meeting an instance in doubt gets CONFLICT, and nothing of either is half applied", async () => {
    const [a, b, c] = [await probe(), await probe(), await probe()];
    await transfer(`participant-crash-before-commit@${b.id}`, a, b, c);
    const intruder = await probe();
    const out = new Uint8Array(
      await (
        await run(
          intruder.id,
          new CallScript().call(b.raw, new CallScript().write(0, utf8("X")).bytes()).bytes(),
        )
      ).arrayBuffer(),
    );
    expect(callOutputAt(out, 0).status).toBe(HostStatus.CONFLICT);
    await runDurableObjectAlarm(stub(b.id));
    expect(await first(b.id)).toBe("b");
  });
});

describe("an instance left in doubt", () => {
  it("is settled by the first writer that meets it once it has been held 2 s, without waiting for its alarm", async () => {
    const [a, b, c] = [await probe(), await probe(), await probe()];
    await transfer(`participant-crash-before-commit@${b.id}`, a, b, c);
    // B's own run waits for the lock, asks the coordinator, applies the decision, then reads it.
    const out = new Uint8Array(await (await run(b.id, new CallScript().read(0, 1).bytes())).arrayBuffer());
    expect(text(out.subarray(4, 5))).toBe("b");
    expect(await txnLeftovers(b.id)).toEqual({ staged: 0, held: 0 });
  });
});

describe("a callee whose DO dies mid-call", () => {
  it("counts as CALLEE_TRAPPED for its caller and hears the decision, which discards its subtree", async () => {
    const [a, b] = [await probe(), await probe()];
    const script = new CallScript()
      .write(0, utf8("a"))
      .call(b.raw, new CallScript().write(0, utf8("b")).bytes())
      .bytes();
    const response = await run(a.id, script, { "x-fault-inject": `participant-crash-before-answer@${b.id}` });
    expect(response.status).toBe(200);
    const out = new Uint8Array(await response.arrayBuffer());
    expect(callOutputAt(out, 4).status).toBe(HostStatus.CALLEE_TRAPPED);
    // No alarm has run: B was told the decision at once and let its staged write go.
    expect([await first(a.id), await first(b.id)]).toEqual(["a", "\0"]);
    expect(await txnLeftovers(b.id)).toEqual({ staged: 0, held: 0 });
  });
});

describe("a participant that changed nothing", () => {
  it("holds nothing on disk: a crash before its decision leaves nothing to recover", async () => {
    const [a, b, c] = [await probe(), await probe(), await probe()];
    const script = new CallScript()
      .write(0, utf8("a"))
      .call(b.raw, new CallScript().read(0, 1).bytes())
      .call(c.raw, new CallScript().write(0, utf8("c")).bytes())
      .bytes();
    const response = await run(a.id, script, { "x-fault-inject": `participant-crash-before-commit@${b.id}` });
    expect(response.status).toBe(200);
    // B only read; C wrote and was told. B crashed before it heard the decision, with nothing staged or held.
    expect(await txnLeftovers(b.id)).toEqual({ staged: 0, held: 0 });
    expect([await first(a.id), await first(b.id), await first(c.id)]).toEqual(["a", "\0", "c"]);
  });
});

describe("a participant that changed nothing and was never told", () => {
  it("is let go by the first writer that meets it after 2 s, once the coordinator says it never committed", async () => {
    const [a, b] = [await probe(), await probe()];
    const script = new CallScript().call(b.raw, new CallScript().read(0, 1).bytes()).bytes();
    const response = await run(a.id, script, { "x-fault-inject": "coordinator-crash-before-decision" });
    expect(response.status).toBeGreaterThanOrEqual(500);
    // B holds the transaction in memory only; its own run waits, asks A (no record: aborted), then runs.
    const own = await run(b.id, new CallScript().write(0, utf8("B")).bytes());
    expect(own.status).toBe(200);
    expect(await first(b.id)).toBe("B");
  });
});
