// Bounded execution inside workerd: every runaway contract ends with a stable
// code, commits nothing, leaves the next call working, and (under JSPI) never
// holds the server while it burns its budget. The same file runs in the
// "workers-prefetch" project, where guests cannot pause: there the budget
// alone bounds them.
import { SELF, env } from "cloudflare:test";
import { blake3 } from "@noble/hashes/blake3.js";
import { base58, base64 } from "@scure/base";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config.js";
import { COUNTER_VALIDATE_FUEL } from "../support/fuel-vectors.js";
import {
  BASE,
  contractWasm,
  createInstance,
  createInstanceWith,
  errorOf,
  getState,
  putState,
  uploadCode,
} from "./support/api.js";
import { contractUrl, getSummary, postDelta, postUpdate, postValidate, u64 } from "./support/exec.js";

const jspi = env.PAGE_MODE !== "prefetch";
const expectedPagesMode = () => (jspi ? "JSPI" : "prefetched");
const settings = readSettings(env);
const LIMIT = 20_000_000;
const SMALL = { "x-fuel-limit": String(LIMIT) };

const run = (id: string, input: Uint8Array, headers: HeadersInit = {}) =>
  SELF.fetch(contractUrl(id, "run"), { method: "POST", body: input, headers });
const fuelOf = (response: Response) => Number(response.headers.get("x-contract-fuel"));

/** A runaway instance (contracts/fixtures/runaway.wat) whose Freenet exports misbehave in `mode`. */
const runawayInstance = (mode: number) => createInstance({}, "runaway", new Uint8Array([mode]));

async function expectOutOfFuel(response: Response, limit = LIMIT) {
  expect(response.status).toBe(422);
  expect(await errorOf(response)).toMatchObject({
    code: "CONTRACT_OUT_OF_FUEL",
    details: { limit, fuel: limit },
  });
}

describe("a runaway contract is stopped by its fuel budget", () => {
  it.each([
    [1, "an infinite loop"],
    [2, "a 2^40-iteration loop"],
    [4, "a loop that spins on host refills"],
    [6, "a memory.fill loop"],
  ])("run mode %i (%s): 422 CONTRACT_OUT_OF_FUEL, and the next call works", async (mode) => {
    const id = await runawayInstance(0);
    await expectOutOfFuel(await run(id, new Uint8Array([mode]), SMALL));
    const next = await run(id, new Uint8Array([0]));
    expect(next.status).toBe(200);
    expect(new TextDecoder().decode(await next.arrayBuffer())).toBe("done");
    expect(fuelOf(next)).toBeGreaterThan(0);
  });

  it("unbounded recursion: 422 CONTRACT_STACK_EXHAUSTED at the configured depth", async () => {
    const id = await runawayInstance(0);
    const response = await run(id, new Uint8Array([3]));
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({
      code: "CONTRACT_STACK_EXHAUSTED",
      details: { depthLimit: settings.callDepthLimit },
    });
    expect((await run(id, new Uint8Array([0]))).status).toBe(200);
  });

  it("a call that wrote linear storage and then ran out commits none of it", async () => {
    const id = await runawayInstance(0);
    await expectOutOfFuel(await run(id, new Uint8Array([5]), SMALL));
    const stats = await (await SELF.fetch(contractUrl(id, "storage/stats"))).json();
    expect(stats).toEqual({ size: 0, framesStored: 0, bytesStored: 0 });
  });

  it("spinning on refills of a stored state: summary, delta and update all stop", async () => {
    // Parameters [4, 1]: validate_state accepts, the other exports spin on refills.
    const id = await createInstance({}, "runaway", new Uint8Array([4, 1]));
    expect((await putState(id, u64(7))).status).toBe(200);
    const before = await getState(id);
    await expectOutOfFuel(await getSummary(id, SMALL));
    await expectOutOfFuel(await postDelta(id, u64(1), SMALL));
    await expectOutOfFuel(await postUpdate(id, u64(1), "delta", SMALL));
    const after = await getState(id);
    expect(after.headers.get("etag")).toBe(before.headers.get("etag"));
    expect(after.headers.get("x-state-version")).toBe("1");
  });

  it("validate_state spinning refuses the PUT and stores nothing", async () => {
    const id = await runawayInstance(4);
    await expectOutOfFuel(await putState(id, u64(7), SMALL));
    expect((await getState(id)).status).toBe(404);
  });

  it("a start function that loops is metered like any code: the PUT stops, nothing is stored", async () => {
    const id = await createInstance({}, "looping-start", new Uint8Array(0));
    await expectOutOfFuel(await putState(id, u64(1), SMALL));
    expect((await getState(id)).status).toBe(404);
    // What GET /v1/code serves is still the uploaded module, not the metered one.
    const codeHash = await uploadCode(contractWasm("looping-start"));
    const code = await SELF.fetch(`${BASE}/v1/code/${codeHash}`);
    expect(new Uint8Array(await code.arrayBuffer())).toEqual(contractWasm("looping-start"));
  });

  it("hostile.wat mode 4 (spin forever, once left to the CPU limit) is stopped by fuel", async () => {
    const id = await createInstance({}, "hostile", new Uint8Array([4]));
    const response = await putState(id, u64(1), SMALL);
    expect(response.status).toBe(422);
    expect((await errorOf(response)).code).toBe("CONTRACT_OUT_OF_FUEL");
    expect((await getState(id)).status).toBe(404);
  });
});

describe.runIf(jspi)("a runaway contract does not hold the server (JSPI pauses between slices)", () => {
  it("other routes and other instances answer while one burns its whole default budget", async () => {
    const spinning = await runawayInstance(0);
    const other = await createInstance({}, "counter", new Uint8Array(0));
    expect((await putState(other, u64(3))).status).toBe(200);
    const codeHash = await uploadCode(contractWasm("counter"));

    let settled = false;
    const burning = run(spinning, new Uint8Array([1])).then((response) => {
      settled = true;
      return response;
    });
    // Each side request must complete while the runaway is still in flight.
    const answeredMeanwhile: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const responses = await Promise.all([
        SELF.fetch(`${BASE}/v1/code/${codeHash}`),
        getState(other),
        getSummary(other),
      ]);
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      await Promise.all(responses.map((r) => r.arrayBuffer()));
      answeredMeanwhile.push(!settled);
    }
    expect(answeredMeanwhile).toEqual([true, true, true, true, true]);
    await expectOutOfFuel(await burning, settings.fuelPerCall);
  });
});

describe("fuel is reported and deterministic", () => {
  it(`the counter's validate_state uses the fuel node charges too (${expectedPagesMode()} pages)`, async () => {
    const id = await createInstanceWith("counter", new TextEncoder().encode("golden-fuel"));
    expect(fuelOf(await putState(id, u64(40)))).toBe(COUNTER_VALIDATE_FUEL);
    const validate = await postValidate(id);
    expect(fuelOf(validate)).toBe(COUNTER_VALIDATE_FUEL);
    await validate.arrayBuffer();
  });

  it("the same update on two fresh instances uses the same fuel", async () => {
    const fuel: number[] = [];
    for (let i = 0; i < 2; i++) {
      const id = await createInstance({}, "counter", new Uint8Array(0));
      expect((await putState(id, u64(40))).status).toBe(200);
      const response = await postUpdate(id, u64(2));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { execution: { fuel: number } };
      expect(body.execution.fuel).toBe(fuelOf(response));
      fuel.push(fuelOf(response));
    }
    expect(fuel[0]).toBeGreaterThan(0);
    expect(fuel[1]).toBe(fuel[0]);
  });

  it("every execution answer carries x-contract-fuel", async () => {
    const id = await createInstance({}, "counter", new Uint8Array(0));
    const put = await putState(id, u64(5));
    expect(((await put.json()) as { execution: { fuel: number } }).execution.fuel).toBe(fuelOf(put));
    const answers = [
      await postUpdate(id, u64(1)),
      await getSummary(id),
      await postDelta(id, u64(1)),
      await postValidate(id),
      await run(await runawayInstance(0), new Uint8Array([0])),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(fuelOf(answer)).toBeGreaterThan(0);
      await answer.arrayBuffer();
    }
  });

  it("x-fuel-limit lowers the budget, and is refused when malformed or above the configured one", async () => {
    const id = await runawayInstance(0);
    await expectOutOfFuel(await run(id, new Uint8Array([1]), { "x-fuel-limit": "1000" }), 1000);
    for (const bad of ["abc", "0", "-5", "1e9", String(settings.fuelPerCall + 1)]) {
      const response = await run(id, new Uint8Array([0]), { "x-fuel-limit": bad });
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe("BAD_REQUEST");
    }
    // Checked on the headers, before a state body is read: nothing is stored.
    const counter = await createInstance({}, "counter", new Uint8Array(0));
    const put = await putState(counter, u64(1), { "x-fuel-limit": String(settings.fuelPerCall + 1) });
    expect(put.status).toBe(400);
    expect((await errorOf(put)).details).toMatchObject({ max: settings.fuelPerCall });
    expect((await getState(counter)).status).toBe(404);
    const enough = await run(id, new Uint8Array([0]), { "x-fuel-limit": String(settings.fuelPerCall) });
    expect(enough.status).toBe(200);
    await enough.arrayBuffer();
  });
});

describe("upload refuses what cannot be metered, naming the feature", () => {
  it.each([
    ["uses-atomics", "threads"],
    ["uses-exceptions", "exception-handling"],
    ["uses-tail-calls", "tail-call"],
    ["uses-two-memories", "multi-memory"],
    ["uses-reserved-name", "reserved-name"],
  ])("%s: 422 WASM_FEATURE_UNSUPPORTED (%s)", async (fixture, feature) => {
    const response = await SELF.fetch(`${BASE}/v1/code`, { method: "PUT", body: contractWasm(fixture) });
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({ code: "WASM_FEATURE_UNSUPPORTED", details: { feature } });
  });
});

describe("metered code in R2", () => {
  it("is stored beside the original at upload, and made on first use for code stored before metering", async () => {
    const wasm = contractWasm("counter");
    // A variant (extra custom section) that no test uploaded: its hash is new.
    const name = new TextEncoder().encode("legacy-upload");
    const variant = new Uint8Array([...wasm, 0, name.length + 1, name.length, ...name]);
    const codeHash = base58.encode(blake3(variant));
    await env.CODE.put(`code/${codeHash}`, variant);
    const metered = await env.CODE.list({ prefix: "metered/" });
    expect(metered.objects.some((o) => o.key.endsWith(`/${codeHash}`))).toBe(false);

    const parameters = base64.encode(new Uint8Array(0));
    const created = await SELF.fetch(`${BASE}/v1/contracts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ codeHash, parameters }),
    });
    const { id } = (await created.json()) as { id: string };
    const put = await putState(id, u64(9));
    expect(put.status).toBe(200);
    expect(fuelOf(put)).toBeGreaterThan(0);
    const after = await env.CODE.list({ prefix: "metered/" });
    expect(after.objects.some((o) => o.key.endsWith(`/${codeHash}`))).toBe(true);
    // The original is what GET /v1/code answers, byte for byte.
    const served = await SELF.fetch(`${BASE}/v1/code/${codeHash}`);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(variant);

    const uploaded = await uploadCode(contractWasm("append-log"));
    const stored = await env.CODE.list({ prefix: "metered/" });
    expect(stored.objects.some((o) => o.key.endsWith(`/${uploaded}`))).toBe(true);
  });
});
