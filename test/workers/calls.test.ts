// Contract-to-contract calls (edge_call) inside workerd: real DOs, real
// sandboxes, the call-probe guest scripting calls, storage and failures.
import { SELF, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HostStatus } from "../../src/protocol/host-status.js";
import { CallScript, callOutputAt, i32At } from "./support/call-script.js";
import { parseId } from "../../src/identity/ids.js";
import { MAX_CALL_DEPTH } from "../../src/limits.js";
import { BASE, createInstance, errorOf } from "./support/api.js";
import { probe, run, runOk, stored, text, txnLeftovers, utf8 } from "./support/calls.js";

describe("A -> B -> C", () => {
  it("passes answers back and commits the storage of all three together", async () => {
    const [a, b, c] = [await probe(), await probe(), await probe()];
    const forC = new CallScript().write(0, utf8("c was here")).read(0, 10).bytes();
    const forB = new CallScript().write(0, utf8("b was here")).call(c.raw, forC).bytes();
    const response = await run(a.id, new CallScript().write(0, utf8("a was here")).call(b.raw, forB).bytes());
    expect(response.status).toBe(200);
    const out = new Uint8Array(await response.arrayBuffer());
    expect(i32At(out, 0)).toBe(HostStatus.OK);
    const fromB = callOutputAt(out, 4);
    expect(fromB.status).toBe(HostStatus.OK);
    expect(i32At(fromB.answer, 0)).toBe(HostStatus.OK);
    const fromC = callOutputAt(fromB.answer, 4);
    expect(fromC.status).toBe(HostStatus.OK);
    expect(text(fromC.answer.subarray(8, 18))).toBe("c was here");
    expect(text(await stored(a.id, 0, 10))).toBe("a was here");
    expect(text(await stored(b.id, 0, 10))).toBe("b was here");
    expect(text(await stored(c.id, 0, 10))).toBe("c was here");
    expect(response.headers.get("x-transaction-id")).toMatch(new RegExp(`^${a.id}-[0-9a-f]{32}$`));
    const tree = JSON.parse(response.headers.get("x-call-tree") ?? "null");
    expect(tree).toMatchObject({
      id: a.id,
      path: "r",
      outcome: "ok",
      calls: [{ id: b.id, path: "r.0", outcome: "ok", calls: [{ id: c.id, path: "r.0.0", outcome: "ok" }] }],
    });
  });
});

describe("one atomic outcome", () => {
  it("a trap in A after B returned leaves all three unchanged", async () => {
    const [a, b, c] = [await probe(), await probe(), await probe()];
    const forC = new CallScript().write(0, utf8("c")).bytes();
    const forB = new CallScript().write(0, utf8("b")).call(c.raw, forC).bytes();
    const response = await run(a.id, new CallScript().write(0, utf8("a")).call(b.raw, forB).trap().bytes());
    expect(response.status).toBe(422);
    const error = ((await response.json()) as { error: { code: string; details: { transaction: string } } })
      .error;
    expect(error.code).toBe("CONTRACT_TRAP");
    for (const { id } of [a, b, c]) expect([...(await stored(id, 0, 1))]).toEqual([0]);
    // Nothing staged is left anywhere, and nothing holds the instances.
    for (const { id } of [a, b, c]) expect(await txnLeftovers(id)).toEqual({ staged: 0, held: 0 });
    // The coordinator recorded the abort; every participant has it.
    const report = await (await fetchTransaction(error.details.transaction)).json();
    expect(report).toMatchObject({ status: "aborted", participants: [{ settled: true }, { settled: true }] });
  });

  it("a trap in B after its call to C returned discards B's and C's changes; A's commit", async () => {
    const [a, b, c] = [await probe(), await probe(), await probe()];
    const forC = new CallScript().write(0, utf8("c")).bytes();
    const forB = new CallScript().write(0, utf8("b")).call(c.raw, forC).trap().bytes();
    const out = await runOk(
      a.id,
      new CallScript().write(0, utf8("a")).call(b.raw, forB).write(1, utf8("!")).bytes(),
    );
    expect(callOutputAt(out, 4).status).toBe(HostStatus.CALLEE_TRAPPED);
    expect(text(await stored(a.id, 0, 2))).toBe("a!");
    expect([...(await stored(b.id, 0, 1))]).toEqual([0]);
    expect([...(await stored(c.id, 0, 1))]).toEqual([0]);
    for (const { id } of [a, b, c]) expect(await txnLeftovers(id)).toEqual({ staged: 0, held: 0 });
  });
});

function fetchTransaction(txid: string): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/transactions/${txid}`);
}

describe("write-back and re-entry", () => {
  it("a re-entrant frame sees what the outer frame mapped and wrote; the outer frame sees its writes after the call", async () => {
    const a = await probe(true);
    const b = await probe();
    const inner = new CallScript().read(100, 5).write(200, utf8("inner")).bytes();
    const forB = new CallScript().call(a.raw, inner).bytes();
    const script = new CallScript()
      .map(0, 65536)
      .poke(100, utf8("hello"))
      .call(b.raw, forB)
      .peek(200, 5)
      .poke(300, utf8("after"))
      .bytes();
    const out = await runOk(a.id, script);
    expect(i32At(out, 0)).toBe(HostStatus.OK);
    const fromB = callOutputAt(out, 4);
    expect(fromB.status).toBe(HostStatus.OK);
    const fromA = callOutputAt(fromB.answer, 0);
    expect(fromA.status).toBe(HostStatus.OK);
    // The inner frame read the outer frame's mapped write (written back before the call left) ...
    expect(i32At(fromA.answer, 0)).toBe(HostStatus.OK);
    expect(text(fromA.answer.subarray(4, 9))).toBe("hello");
    // ... and the outer frame's mapping shows the inner frame's write once the call returned.
    expect(text(out.subarray(fromB.end, fromB.end + 5))).toBe("inner");
    expect(text(await stored(a.id, 100, 5))).toBe("hello");
    expect(text(await stored(a.id, 200, 5))).toBe("inner");
    expect(text(await stored(a.id, 300, 5))).toBe("after");
  });

  it("without the opt-in the callback is REENTRANCY_REFUSED and A's call goes on", async () => {
    const a = await probe();
    const b = await probe();
    const forB = new CallScript().call(a.raw, new CallScript().write(0, utf8("inner")).bytes()).bytes();
    const out = await runOk(a.id, new CallScript().write(0, utf8("outer")).call(b.raw, forB).bytes());
    const fromB = callOutputAt(out, 4);
    expect(fromB.status).toBe(HostStatus.OK);
    expect(callOutputAt(fromB.answer, 0).status).toBe(HostStatus.REENTRANCY_REFUSED);
    expect(text(await stored(a.id, 0, 5))).toBe("outer");
  });

  it("a failed re-entrant subtree leaves the outer frame's storage as it wrote it back", async () => {
    const a = await probe(true);
    const b = await probe();
    const inner = new CallScript().write(0, utf8("INNER")).bytes();
    const forB = new CallScript().call(a.raw, inner).fail().bytes();
    const script = new CallScript().map(0, 16).poke(0, utf8("outer")).call(b.raw, forB).peek(0, 5).bytes();
    const out = await runOk(a.id, script);
    const fromB = callOutputAt(out, 4);
    expect(fromB.status).toBe(HostStatus.CALLEE_REFUSED);
    expect(text(fromB.answer)).toBe("probe failed");
    expect(text(out.subarray(fromB.end, fromB.end + 5))).toBe("outer");
    expect(text(await stored(a.id, 0, 5))).toBe("outer");
  });
});

/** The script that nests `depth` calls into `target`, the innermost frame writing "deep". */
function nested(target: Uint8Array, depth: number): Uint8Array {
  let script = new CallScript().write(0, utf8("deep")).bytes();
  for (let level = 0; level < depth; level++) script = new CallScript().call(target, script).bytes();
  return script;
}

/** The statuses of the calls down a nested script's answer, outermost first. */
function nestedStatuses(out: Uint8Array): number[] {
  const statuses: number[] = [];
  let answer = out;
  while (answer.length >= 8 && statuses.length < 16) {
    const call = callOutputAt(answer, 0);
    statuses.push(call.status);
    if (call.status !== HostStatus.OK || call.answer.length < 8) break;
    answer = call.answer;
  }
  return statuses;
}

describe("limits", () => {
  it(`a call tree is at most MAX_CALL_DEPTH (${MAX_CALL_DEPTH}) frames deep`, async () => {
    const a = await probe(true);
    const deepest = await runOk(a.id, nested(a.raw, MAX_CALL_DEPTH - 1));
    expect(nestedStatuses(deepest)).toEqual(Array(MAX_CALL_DEPTH - 1).fill(HostStatus.OK));
    expect(text(await stored(a.id, 0, 4))).toBe("deep");
    const b = await probe(true);
    const over = await runOk(b.id, nested(b.raw, MAX_CALL_DEPTH));
    expect(nestedStatuses(over)).toEqual([
      ...Array(MAX_CALL_DEPTH - 1).fill(HostStatus.OK),
      HostStatus.CALL_DEPTH_EXCEEDED,
    ]);
    expect([...(await stored(b.id, 0, 4))]).toEqual([0, 0, 0, 0]);
  });

  it("the tree shares one fuel budget: a callee's fuel is the caller's", async () => {
    const [a, b] = [await probe(), await probe()];
    const work = new CallScript().spin(20_000).write(0, utf8("b")).bytes();
    const alone = await run(b.id, work);
    expect(alone.status).toBe(200);
    const calleeFuel = Number(alone.headers.get("x-contract-fuel"));
    const c = await probe();
    const response = await run(a.id, new CallScript().call(c.raw, work).bytes());
    expect(response.status).toBe(200);
    const tree = JSON.parse(response.headers.get("x-call-tree") ?? "null") as {
      fuel: number;
      calls: Array<{ fuel: number }>;
    };
    // Same code, same input, same fuel, wherever it runs; the caller pays it.
    expect(tree.calls[0]?.fuel).toBe(calleeFuel);
    expect(Number(response.headers.get("x-contract-fuel"))).toBe(tree.fuel);
    expect(tree.fuel).toBeGreaterThan(calleeFuel);
  });

  it("a callee that exhausts the shared budget ends the whole tree out of fuel, nothing committed", async () => {
    const [a, b] = [await probe(), await probe()];
    const limit = 2_000_000;
    const runaway = new CallScript().write(0, utf8("b")).spin(4_000_000_000).bytes();
    const response = await run(a.id, new CallScript().write(0, utf8("a")).call(b.raw, runaway).bytes(), {
      "x-fuel-limit": String(limit),
    });
    expect(await errorOf(response)).toMatchObject({ code: "CONTRACT_OUT_OF_FUEL", details: { fuel: limit } });
    expect([...(await stored(a.id, 0, 1)), ...(await stored(b.id, 0, 1))]).toEqual([0, 0]);
  });
});

describe("failures come back as statuses", () => {
  it("an unknown instance, a component, a refusal; call_result_read's edges", async () => {
    const a = await probe();
    const refuser = await probe();
    const component = parseId(await createInstance({}, "kv-notebook"));
    const out = await runOk(
      a.id,
      new CallScript()
        .call(new Uint8Array(32).fill(3), new Uint8Array(0))
        .call(component, new Uint8Array(0))
        .call(refuser.raw, new CallScript().write(0, utf8("x")).fail().bytes())
        .resultEdge()
        .bytes(),
    );
    const unknown = callOutputAt(out, 0);
    const unsupported = callOutputAt(out, unknown.end);
    const refused = callOutputAt(out, unsupported.end);
    expect([unknown.status, unsupported.status, refused.status]).toEqual([
      HostStatus.NOT_FOUND,
      HostStatus.CALLEE_UNSUPPORTED,
      HostStatus.CALLEE_REFUSED,
    ]);
    expect(text(refused.answer)).toBe("probe failed");
    expect([0, 4, 8, 12].map((at) => i32At(out, refused.end + at))).toEqual([
      HostStatus.INVALID_ARGUMENT,
      HostStatus.INVALID_ARGUMENT,
      HostStatus.OUT_OF_BOUNDS,
      0,
    ]);
    expect([...(await stored(refuser.id, 0, 1))]).toEqual([0]);
  });
});

describe("GET /v1/transactions/:txid", () => {
  it("reports a committed transaction and who has the decision", async () => {
    const [a, b] = [await probe(), await probe()];
    const response = await run(
      a.id,
      new CallScript().call(b.raw, new CallScript().write(0, utf8("b")).bytes()).bytes(),
    );
    const txid = response.headers.get("x-transaction-id") ?? "";
    const report = await fetchTransaction(txid);
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({
      txid,
      status: "committed",
      discarded: [],
      participants: [{ id: b.id, settled: true }],
    });
  });

  it("a run that never called out has no transaction to report; bad and unknown ids are errors", async () => {
    const a = await probe();
    const response = await run(a.id, new CallScript().write(0, utf8("a")).bytes());
    expect(response.headers.get("x-transaction-id")).toBeNull();
    expect((await errorOf(await fetchTransaction("nonsense"))).code).toBe("BAD_REQUEST");
    const unknown = await fetchTransaction(`${a.id}-${"0".repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("TRANSACTION_NOT_FOUND");
  });
});

describe("a failed subtree nested under a successful call", () => {
  it("takes back what its re-entrant frame wrote: the caller neither sees nor commits it", async () => {
    const a = await probe(true);
    const [b, c] = [await probe(), await probe()];
    const forC = new CallScript()
      .call(a.raw, new CallScript().write(0, utf8("INNER")).bytes())
      .fail()
      .bytes();
    const forB = new CallScript().call(c.raw, forC).bytes();
    const script = new CallScript()
      .map(0, 16)
      .poke(0, utf8("outer"))
      .call(b.raw, forB)
      .peek(0, 5)
      .poke(10, utf8("x"))
      .bytes();
    const out = await runOk(a.id, script);
    const fromB = callOutputAt(out, 4);
    expect(fromB.status).toBe(HostStatus.OK);
    expect(callOutputAt(fromB.answer, 0).status).toBe(HostStatus.CALLEE_REFUSED);
    expect(text(out.subarray(fromB.end, fromB.end + 5))).toBe("outer");
    expect(text(await stored(a.id, 0, 5))).toBe("outer");
  });
});

describe("the coordinator's record", () => {
  it("is pruned by an alarm even when the coordinator staged nothing and everyone has the decision", async () => {
    const [a, b] = [await probe(), await probe()];
    await runOk(a.id, new CallScript().call(b.raw, new CallScript().write(0, utf8("b")).bytes()).bytes());
    const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(a.id));
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
  });
});
