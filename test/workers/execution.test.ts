// Contract execution through the full stack: Hono -> ContractObject -> Worker
// Loader sandbox -> wasm, with state pages served from DO SQLite. The same
// file runs in the "workers" project (JSPI refills) and in "workers-prefetch"
// (PAGE_MODE=prefetch), the conformance suite for both page sources.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { equalBytes, patterned } from "../support/bytes.js";
import { createInstance, errorOf, getState, putState } from "./support/api.js";
import {
  getSummary,
  postDelta,
  postUpdate,
  postValidate,
  readU64,
  u64,
  type ValidateJson,
} from "./support/exec.js";

const expectedPages = env.PAGE_MODE === "prefetch" ? "prefetch" : "jspi";

async function counterAt(value: number) {
  const id = await createInstance({}, "counter", new Uint8Array(0));
  expect((await putState(id, u64(value))).status).toBe(200);
  return id;
}

describe(`counter contract (${expectedPages} pages)`, () => {
  it("applies deltas with update_state and commits the new state", async () => {
    const id = await counterAt(10);
    const update = await postUpdate(id, u64(5));
    expect(update.status).toBe(200);
    expect(await update.json()).toMatchObject({ version: 2, size: 8, changed: true });
    expect(readU64(new Uint8Array(await (await getState(id)).arrayBuffer()))).toBe(15n);
  });

  it("summarizes and answers deltas against a summary", async () => {
    const id = await counterAt(42);
    const summary = await getSummary(id);
    expect(summary.status).toBe(200);
    expect(summary.headers.get("x-contract-pages")).toBe(expectedPages);
    expect(readU64(new Uint8Array(await summary.arrayBuffer()))).toBe(42n);
    const delta = await postDelta(id, u64(40));
    expect(readU64(new Uint8Array(await delta.arrayBuffer()))).toBe(2n);
  });

  it("validate answers valid for its own state", async () => {
    const id = await counterAt(1);
    const response = await postValidate(id);
    const body = (await response.json()) as ValidateJson;
    expect(body).toMatchObject({ result: "valid", version: 1 });
    expect(body.execution.pages).toBe(expectedPages);
  });

  it("PUT state runs validate_state first: an invalid state is 422 and changes nothing", async () => {
    const id = await counterAt(7);
    const response = await putState(id, patterned(3));
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({
      code: "CONTRACT_REJECTED",
      details: { variant: "Invalid" },
    });
    expect(readU64(new Uint8Array(await (await getState(id)).arrayBuffer()))).toBe(7n);
  });

  it("a refused update is 422 CONTRACT_REJECTED with the contract's variant", async () => {
    const id = await counterAt(9);
    const response = await postUpdate(id, u64(3), "state");
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe("CONTRACT_REJECTED");
    expect(error.details?.variant).toMatch(/^Invalid/);
    expect((await getState(id)).headers.get("x-state-version")).toBe("1");
  });

  it("an update with a stale If-Match is refused 412", async () => {
    const id = await counterAt(1);
    const etag = (await getState(id)).headers.get("etag")!;
    expect((await postUpdate(id, u64(1), "delta", { "if-match": etag })).status).toBe(200);
    const stale = await postUpdate(id, u64(1), "delta", { "if-match": etag });
    expect(stale.status).toBe(412);
    expect((await errorOf(stale)).code).toBe("PRECONDITION_FAILED");
    expect(readU64(new Uint8Array(await (await getState(id)).arrayBuffer()))).toBe(2n);
  });

  it("concurrent updates are serialized: none is lost", async () => {
    const id = await counterAt(0);
    const responses = await Promise.all(Array.from({ length: 10 }, () => postUpdate(id, u64(1))));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(readU64(new Uint8Array(await (await getState(id)).arrayBuffer()))).toBe(10n);
  });

  it("reuses the sandbox isolate across calls", async () => {
    const id = await counterAt(3);
    const first = (await (await postValidate(id)).json()) as ValidateJson;
    const second = (await (await postValidate(id)).json()) as ValidateJson;
    expect(second.execution.isolateCalls).toBeGreaterThan(first.execution.isolateCalls);
  });

  it("update on an instance without state is STATE_NOT_FOUND", async () => {
    const id = await createInstance({}, "counter", new Uint8Array(0));
    const response = await postUpdate(id, u64(1));
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("STATE_NOT_FOUND");
  });

  it("kind must be delta or state", async () => {
    const id = await counterAt(1);
    expect((await postUpdate(id, u64(1), "nonsense")).status).toBe(400);
  });
});

describe(`hostile guests through the full stack (${expectedPages} pages)`, () => {
  // Mode byte -> expected failure (contracts/fixtures/hostile.wat); 4 (spin) is the CPU case, see README.
  it.each([
    [1, "CONTRACT_TRAP"],
    [2, "CONTRACT_FAULT"],
    [3, "CONTRACT_OUT_OF_MEMORY"],
    [5, "CONTRACT_FAULT"],
    [6, "CONTRACT_REJECTED"],
  ])("mode %i: %s, nothing committed, the next call works", async (mode, code) => {
    const id = await createInstance({}, "hostile", Uint8Array.of(mode));
    const put = await putState(id, patterned(1000));
    expect((await errorOf(put)).code).toBe(code);
    expect((await getState(id)).status).toBe(404);
    // The same code, well-behaved parameters: the sandbox is fine afterwards.
    const healthy = await createInstance({}, "hostile", Uint8Array.of(0));
    expect((await putState(healthy, patterned(1000))).status).toBe(200);
  });

  it("an update that traps commits nothing", async () => {
    const id = await createInstance({}, "hostile", Uint8Array.of(0));
    await putState(id, patterned(10));
    const other = await createInstance({}, "hostile", Uint8Array.of(1));
    expect((await putState(other, patterned(10))).status).toBe(422);
    expect((await postUpdate(id, patterned(4))).status).toBe(200);
    expect((await getState(id)).headers.get("x-state-version")).toBe("1");
  });
});

describe(`streaming state to the guest (${expectedPages} pages)`, () => {
  it.each([0, 4, 65531, 65532, 65533, 65535, 65536, 65537, 10 * 1024 * 1024])(
    "append-log validates a well-formed %i-byte state across refill boundaries",
    async (size) => {
      const id = await createInstance({}, "append-log", new Uint8Array(0));
      const state = appendLogOf(size);
      expect((await putState(id, state)).status).toBe(200);
      expect(equalBytes(new Uint8Array(await (await getState(id)).arrayBuffer()), state)).toBe(true);
    },
  );

  it.each([1, 3, 65533, 65537, 10 * 1024 * 1024])(
    "append-log refuses a %i-byte state whose last entry runs past the end",
    async (size) => {
      const id = await createInstance({}, "append-log", new Uint8Array(0));
      const corrupt = size < 4 ? patterned(size) : appendLogOf(size);
      // The first entry claims every byte plus one: only the end of the stream can tell.
      if (size >= 4) new DataView(corrupt.buffer).setUint32(0, size - 3, true);
      expect(await errorOf(await putState(id, corrupt))).toMatchObject({
        code: "CONTRACT_REJECTED",
        details: { variant: "Invalid" },
      });
    },
  );
});

describe(`guest memory (${expectedPages} pages)`, () => {
  it("a streaming guest validates a 64 MiB state with its memory flat (< 256 KiB above baseline)", async () => {
    const id = await createInstance({}, "append-log", new Uint8Array(0));
    expect((await putState(id, appendLogOf(64 * 1024 * 1024))).status).toBe(200);
    const body = (await (await postValidate(id)).json()) as ValidateJson;
    expect(body.result).toBe("valid");
    expect(body.execution.guestMemoryBytes - body.execution.baselineBytes).toBeLessThan(256 * 1024);
  });

  it("a legacy guest (no freenet_contract_io import) gets the whole state in one buffer", async () => {
    const id = await createInstance({}, "hostile", Uint8Array.of(0));
    expect((await putState(id, patterned(2 * 1024 * 1024))).status).toBe(200);
    const body = (await (await postValidate(id)).json()) as ValidateJson;
    expect(body.result).toBe("valid");
    // Its heap starts inside the two pages it declares, so growth is the state less those 128 KiB at most.
    expect(body.execution.guestMemoryBytes - body.execution.baselineBytes).toBeGreaterThan(
      2 * 1024 * 1024 - 128 * 1024,
    );
  });
});

/** A well-formed append-log state of exactly `size` bytes (0 or >= 4): entries [u32 len][bytes]. */
function appendLogOf(size: number): Uint8Array {
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  for (let at = 0, n = 0; at < size; n++) {
    const left = size - at - 4;
    let len = Math.min(left, 1000 + (n % 7) * 3000);
    if (left - len > 0 && left - len < 4) len = left;
    view.setUint32(at, len, true);
    out.fill(n & 255, at + 4, at + 4 + len);
    at += 4 + len;
  }
  return out;
}
