// The sandbox's call entry (executeContract) with the build's lax-update
// contract: a small state rides in the request and no page is read back; an
// update's new state can be judged in the same call, exactly where the DO
// would judge it next, with the fuel of both.
import { describe, expect, it } from "vitest";
import { instrument } from "../../../src/code/instrument.js";
import { capMemoryPages } from "../../../src/code/wasm-sections.js";
import { INLINE_CALL_BYTES } from "../../../src/limits.js";
import { encodeRelatedContracts, encodeUpdateData } from "../../../src/protocol/freenet-bincode.js";
import type {
  CallPorts,
  ContractRequest,
  SandboxReply,
  StateReader,
} from "../../../src/protocol/sandbox-call.js";
import { executeContract } from "../../../src/sandbox/execute-contract.js";
import { buildArtifact } from "../support/wasm.js";
import { testFuel, unmeteredSettings } from "../support/execution-settings.js";

const raw = capMemoryPages(buildArtifact("contracts/lax-update.wasm"), 1024);
const plain = new WebAssembly.Module(raw);
const metered = new WebAssembly.Module(instrument(raw) as Uint8Array<ArrayBuffer>);

const settings = unmeteredSettings;
const fuel = testFuel;
const NO_RELATED = encodeRelatedContracts([]);
const MARKER = 0xee; // lax-update's validate_state refuses a state holding it

/** A reader over `bytes` that counts its calls. */
function reader(bytes: Uint8Array): StateReader & { calls: number } {
  return {
    calls: 0,
    read(offset, length) {
      this.calls++;
      return bytes.slice(offset, offset + length);
    },
  };
}

const refusing: StateReader = {
  read: () => {
    throw new Error("a call with its state inline read a page");
  },
};

function updateRequest(
  head: Uint8Array,
  next: Uint8Array,
  more: Partial<ContractRequest> = {},
): ContractRequest {
  return {
    op: "update_state",
    parameters: new Uint8Array(0),
    stateLength: head.length,
    state: head,
    third: encodeUpdateData([{ kind: "State", state: next }]),
    settings,
    ...more,
  };
}

async function run(
  module: WebAssembly.Module,
  request: ContractRequest,
  state: StateReader | null = refusing,
) {
  const ports: CallPorts = { state, namespaces: {} };
  const reply = await executeContract(module, request, ports);
  if (reply.kind !== "update" && reply.kind !== "validate") throw new Error(`unexpected ${reply.kind}`);
  return reply;
}

async function bodyBytes(reply: SandboxReply): Promise<Uint8Array> {
  if (!("body" in reply) || reply.body === null) return new Uint8Array(0);
  if (reply.body instanceof Uint8Array) return reply.body;
  return new Uint8Array(await new Response(reply.body).arrayBuffer());
}

describe("executeContract", () => {
  it("reads no page when the state rides in the request, and pages a state that does not", async () => {
    const head = new Uint8Array(INLINE_CALL_BYTES).fill(1);
    const inline = await run(plain, {
      ...updateRequest(head, head),
      op: "validate_state",
      third: NO_RELATED,
    });
    expect(inline).toMatchObject({ kind: "validate", result: { ok: true, value: { kind: "valid" } } });

    const large = new Uint8Array(INLINE_CALL_BYTES + 1).fill(1);
    const pages = reader(large);
    const paged = await run(
      plain,
      {
        op: "validate_state",
        parameters: new Uint8Array(0),
        stateLength: large.length,
        third: NO_RELATED,
        settings,
      },
      pages,
    );
    expect(paged).toMatchObject({ kind: "validate", result: { ok: true, value: { kind: "valid" } } });
    expect(pages.calls).toBeGreaterThan(0);
  });

  it("refuses inline state whose length is not the declared one", async () => {
    const head = new Uint8Array(8);
    await expect(run(plain, { ...updateRequest(head, head), stateLength: 9 })).rejects.toMatchObject({
      code: "INTERNAL",
    });
  });

  it("answers a small result inline and a large one as a stream", async () => {
    const head = new Uint8Array(8);
    const small = await run(plain, updateRequest(head, new Uint8Array(INLINE_CALL_BYTES).fill(2)));
    expect(small.kind === "update" && small.body).toBeInstanceOf(Uint8Array);
    const big = new Uint8Array(INLINE_CALL_BYTES + 1).fill(3);
    const large = await run(plain, updateRequest(head, big));
    expect(large.kind === "update" && large.body).toBeInstanceOf(ReadableStream);
    expect(await bodyBytes(large)).toEqual(big);
  });

  it("judges a new small state in the same call when asked, Valid or Invalid", async () => {
    const head = new Uint8Array([1, 2, 3]);
    const valid = await run(plain, updateRequest(head, new Uint8Array([4, 5]), { validateResult: true }));
    expect(valid).toMatchObject({ kind: "update", validated: { ok: true, value: { kind: "valid" } } });
    const invalid = await run(plain, updateRequest(head, new Uint8Array([MARKER]), { validateResult: true }));
    expect(invalid).toMatchObject({ kind: "update", validated: { ok: true, value: { kind: "invalid" } } });
  });

  it("leaves the judging to the DO where it must: not asked, no change, too large, or paged input", async () => {
    const head = new Uint8Array([1, 2, 3]);
    const notAsked = await run(plain, updateRequest(head, new Uint8Array([4])));
    const same = await run(plain, updateRequest(head, head, { validateResult: true }));
    const big = new Uint8Array(INLINE_CALL_BYTES + 1);
    const tooLarge = await run(plain, updateRequest(head, big, { validateResult: true }));
    const { state: _inline, ...pagedRequest } = updateRequest(head, new Uint8Array([4]), {
      validateResult: true,
    });
    const paged = await run(plain, pagedRequest, reader(head));
    for (const reply of [notAsked, same, tooLarge, paged]) {
      expect(reply.kind).toBe("update");
      expect("validated" in reply && reply.validated).toBeFalsy();
    }
    expect(await bodyBytes(same)).toEqual(head);
  });

  it("reports the fuel of the update and of the validation together", async () => {
    const head = new Uint8Array([1, 2, 3]);
    const next = new Uint8Array([4, 5]);
    const meteredSettings = { ...settings, fuel };
    const update = await run(metered, updateRequest(head, next, { settings: meteredSettings }));
    const validate = await run(metered, {
      op: "validate_state",
      parameters: new Uint8Array(0),
      stateLength: next.length,
      state: next,
      third: NO_RELATED,
      settings: meteredSettings,
    });
    const both = await run(
      metered,
      updateRequest(head, next, { settings: meteredSettings, validateResult: true }),
    );
    expect(update.stats.fuel).toBeGreaterThan(0);
    expect(validate.stats.fuel).toBeGreaterThan(0);
    expect(both.stats.fuel).toBe((update.stats.fuel ?? 0) + (validate.stats.fuel ?? 0));
  });

  it("counts the update's fuel in the error of a validation that runs out", async () => {
    const head = new Uint8Array([1, 2, 3]);
    const next = new Uint8Array([4, 5]);
    const probe = await run(metered, updateRequest(head, next, { settings: { ...settings, fuel } }));
    const limit = (probe.stats.fuel ?? 0) + 1;
    const error = await run(
      metered,
      updateRequest(head, next, {
        settings: { ...settings, fuel: { ...fuel, limit } },
        validateResult: true,
      }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONTRACT_OUT_OF_FUEL" });
    expect((error as { details: { fuel: number } }).details.fuel).toBeGreaterThanOrEqual(limit - 1);
  });
});
