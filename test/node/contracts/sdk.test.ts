// The guest SDK itself (contracts/sdk/assembly), through a probe contract:
// result encodings byte for byte against real bincode output (from
// freenet-stdlib's types), the BufferBuilder layout, stream primitives across
// refill boundaries, and the third-argument decoders.
import { beforeAll, describe, expect, it } from "vitest";
import {
  encodeRelatedContracts,
  encodeUpdateData,
  type UpdateData,
} from "../../../src/protocol/freenet-bincode.js";
import { patterned } from "../../support/bytes.js";
import {
  compileEntry,
  concat,
  okValue,
  run,
  shortInput,
  u64le,
  update,
  validate,
} from "../support/contracts.js";

let probe: WebAssembly.Module;

beforeAll(async () => {
  probe = await compileEntry("test/node/contracts/assembly/sdk-probe.ts");
}, 60_000);

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const id11 = "11".repeat(32);

interface ProbeExports {
  memory: WebAssembly.Memory;
  probe_result(which: number): bigint;
  __frnt__initiate_buffer(capacity: number): bigint;
  __frnt_set_id(id: bigint): void;
}

function instantiate(): ProbeExports {
  const imports = { freenet_contract_io: { __frnt__fill_buffer: () => 0 } };
  return new WebAssembly.Instance(probe, imports).exports as unknown as ProbeExports;
}

describe("result builders", () => {
  // Expected bytes (spaces between fields) as bincode 1.3.3 serializes freenet-stdlib's Result<T, ContractError>.
  const cases: Array<[number, number, string]> = [
    [0, 0, "00000000 00000000"],
    [1, 0, "00000000 01000000"],
    [2, 0, `00000000 02000000 0100000000000000 ${id11}`],
    [3, 2, "01000000 01000000"],
    [4, 0, "01000000 00000000 0100000000000000 78"],
    [5, 2, "01000000 02000000 0100000000000000 72"],
    [6, 3, "01000000 03000000"],
    [7, 4, "01000000 04000000"],
    [8, 4, "01000000 05000000 0400000000000000 6f6f7073"],
    [9, 2, "00000000 01 0300000000000000 616263 0000000000000000"],
    [10, 2, "00000000 00 0000000000000000"],
    [11, 3, "00000000 0200000000000000 6162"],
    [12, 4, "00000000 0000000000000000"],
    [13, 2, "00000000 01 0300000000000000 616263 0000000000000000"],
    [14, 4, "01000000 05000000 0500000000000000 c3a9e282ac"],
  ];

  it.each(cases)("case %i: kind %i, bytes %s", (which, kind, bytes) => {
    const guest = instantiate();
    const record = Number(guest.probe_result(which));
    const view = new DataView(guest.memory.buffer);
    expect(record % 8).toBe(0);
    expect(view.getUint32(record + 4, true)).toBe(0); // high half of the i64 `ptr` field
    const ptr = view.getUint32(record, true);
    expect({
      kind: view.getInt32(record + 8, true),
      bytes: hex(new Uint8Array(guest.memory.buffer, ptr, view.getUint32(record + 12, true))),
    }).toEqual({ kind, bytes: bytes.replaceAll(" ", "") });
  });
});

describe("__frnt__initiate_buffer", () => {
  it("lays out a repr(C) BufferBuilder with zeroed, separate counters", () => {
    const guest = instantiate();
    guest["__frnt_set_id"](5n);
    const builders = [0, 4, 65536].map((capacity) => ({
      capacity,
      at: Number(guest["__frnt__initiate_buffer"](capacity)),
    }));
    const view = new DataView(guest.memory.buffer);
    const spans: Array<[number, number]> = [];
    for (const { capacity, at } of builders) {
      expect(at % 8).toBe(0);
      const start = Number(view.getBigUint64(at, true));
      const read = Number(view.getBigUint64(at + 16, true));
      const write = Number(view.getBigUint64(at + 24, true));
      expect(view.getUint32(at + 8, true)).toBe(capacity);
      expect([view.getUint32(read, true), view.getUint32(write, true)]).toEqual([0, 0]);
      expect(start + capacity).toBeLessThanOrEqual(guest.memory.buffer.byteLength);
      spans.push([start, start + capacity], [read, read + 4], [write, write + 4], [at, at + 32]);
    }
    const sorted = spans.filter(([a, b]) => b > a).toSorted((x, y) => x[0] - y[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]![0]).toBeGreaterThanOrEqual(sorted[i - 1]![1]);
  });
});

describe("InputStream", () => {
  const u32le = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
  async function script(state: Parameters<typeof run>[2]["state"], ops: Uint8Array): Promise<Uint8Array> {
    const outcome = await run(probe, "summarize_state", { parameters: ops, state });
    if (outcome.value.op !== "summarize_state") throw new Error("wrong op");
    return okValue(outcome.value.result).slice();
  }
  const tail = (ok: number, truncated: number, position: number, remaining: number) =>
    concat(Uint8Array.of(ok, truncated), u32le(position), u32le(remaining));

  it("reads little-endian values that straddle the first refill", async () => {
    const state = patterned(200_000);
    const view = new DataView(state.buffer);
    // The first buffer ends after 65532 payload bytes.
    const ops = concat(Uint8Array.of(2), u32le(65530), Uint8Array.of(8, 4, 1));
    const expected = concat(
      u64le(1),
      u64le(view.getBigUint64(65530, true)),
      u64le(view.getUint32(65538, true)),
      u64le(state[65542]!),
      tail(1, 0, 65543, 200_000 - 65543),
    );
    expect(hex(await script(state, ops))).toBe(hex(expected));
  });

  it("reads in pieces across several refills and stops at the end", async () => {
    const state = patterned(200_000, 3);
    const ops = concat(
      Uint8Array.of(1, 3),
      u32le(150_000),
      Uint8Array.of(3),
      u32le(1 << 20),
      Uint8Array.of(8),
    );
    const expected = concat(
      u64le(state[0]!),
      u64le(150_000),
      state.subarray(1, 5),
      u64le(49_999),
      state.subarray(150_001, 150_005),
      u64le(0),
      tail(0, 0, 200_000, 0),
    );
    expect(hex(await script(state, ops))).toBe(hex(expected));
  });

  it("refuses to skip or read past the announced length", async () => {
    const state = patterned(10);
    const ops = concat(Uint8Array.of(2), u32le(11), Uint8Array.of(2), u32le(6), Uint8Array.of(8, 4));
    const data = new DataView(state.buffer);
    expect(hex(await script(state, ops))).toBe(
      hex(concat(u64le(0), u64le(1), u64le(0), u64le(data.getUint32(6, true)), tail(0, 0, 10, 0))),
    );
  });

  it("flags input the host ends early as truncated", async () => {
    const state = patterned(150_000);
    const ops = concat(Uint8Array.of(2), u32le(149_000));
    expect(hex(await script(shortInput(state.subarray(0, 100_000), state.length), ops))).toBe(
      hex(concat(u64le(0), tail(0, 1, 100_000, 50_000))),
    );
  });

  it("reads an empty input", async () => {
    expect(hex(await script(new Uint8Array(0), Uint8Array.of(1)))).toBe(
      hex(concat(u64le(0), tail(0, 0, 0, 0))),
    );
  });
});

describe("UpdateDataReader and RelatedContractsReader", () => {
  const idA = new Uint8Array(32).fill(0xa1);
  const big = patterned(100_000, 9);

  it("decodes every UpdateData variant and skips what the contract leaves unread", async () => {
    const updates: UpdateData[] = [
      { kind: "State", state: Uint8Array.of(1, 2) },
      { kind: "Delta", delta: big },
      { kind: "StateAndDelta", state: Uint8Array.of(3), delta: Uint8Array.of(4, 5) },
      { kind: "RelatedState", relatedTo: idA, state: new Uint8Array(0) },
      { kind: "RelatedDelta", relatedTo: idA, delta: big },
      {
        kind: "RelatedStateAndDelta",
        relatedTo: idA,
        state: Uint8Array.of(6),
        delta: Uint8Array.of(7, 8, 9, 10),
      },
    ];
    const part = (kind: number, length: number, bytes: Uint8Array) =>
      concat(Uint8Array.of(kind), new Uint8Array(new Uint32Array([length]).buffer), bytes);
    const expected = concat(
      Uint8Array.of(0),
      part(1, 2, Uint8Array.of(1, 2)),
      Uint8Array.of(1),
      part(2, big.length, big.subarray(0, 3)),
      Uint8Array.of(2),
      part(1, 1, Uint8Array.of(3)),
      part(2, 2, Uint8Array.of(4, 5)),
      Uint8Array.of(3),
      idA,
      part(1, 0, new Uint8Array(0)),
      Uint8Array.of(4),
      idA,
      part(2, big.length, big.subarray(0, 3)),
      Uint8Array.of(5),
      idA,
      part(1, 1, Uint8Array.of(6)),
      part(2, 4, Uint8Array.of(7, 8, 9)),
    );
    expect(hex(okValue(await update(probe, new Uint8Array(0), updates)).newState!)).toBe(hex(expected));
  });

  it("reports malformed update data as Deser", async () => {
    const valid = encodeUpdateData([{ kind: "Delta", delta: Uint8Array.of(1) }]);
    const cases: Array<[Uint8Array, string]> = [
      [new Uint8Array(4), "unexpected end of input"],
      [valid.subarray(0, valid.length - 1), "byte length overruns the input"],
      [concat(u64le(2), valid.subarray(8)), "unexpected end of input"],
      [concat(u64le(1), Uint8Array.of(6, 0, 0, 0)), "unknown UpdateData variant 6"],
    ];
    for (const [third, message] of cases) {
      expect(await update(probe, new Uint8Array(0), third)).toEqual({
        ok: false,
        error: { variant: "Deser", message },
      });
    }
  });

  it("walks RelatedContracts entries with and without states", async () => {
    const idB = new Uint8Array(32).fill(0xb2);
    const related = encodeRelatedContracts([
      [idA, null],
      [new Uint8Array(32), big],
      [idB, null],
    ]);
    expect(okValue(await validate(probe, new Uint8Array(0), { related }))).toEqual({
      kind: "requestRelated",
      ids: [idA, idB],
    });
    expect(okValue(await validate(probe, new Uint8Array(0)))).toEqual({ kind: "requestRelated", ids: [] });
    const cut = related.subarray(0, 50);
    expect(await validate(probe, new Uint8Array(0), { related: cut })).toEqual({
      ok: false,
      error: { variant: "Deser", message: "unexpected end of input" },
    });
  });
});
