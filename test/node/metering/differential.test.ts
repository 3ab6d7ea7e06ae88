// Metering changes what a call costs, never what it computes: every example
// contract and fixture, instrumented, answers exactly what it answers
// uninstrumented, over generated inputs. The fuel a call reports is the same
// every time, whatever the slice size, and is exactly the budget it needs.
import fc from "fast-check";
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { runContract, type ContractCall, type FreenetOp } from "../../../src/sandbox/contract-runner.js";
import {
  encodeRelatedContracts,
  encodeUpdateData,
  type UpdateData,
} from "../../../src/protocol/freenet-bincode.js";
import { bytesInput } from "../../../src/guest-abi/input-source.js";
import { EdgeError } from "../../../src/errors.js";
import type { FuelOptions } from "../../../src/metering/fuel-meter.js";
import { meterModule } from "../../../src/metering/meter-module.js";
import { concat, contractBytes, logEntries, logOfSize, u64le } from "../support/contracts.js";
import { buildArtifact } from "../support/wasm.js";

const MEMORY_LIMIT = 64 << 20;
const GENEROUS: FuelOptions = { limit: 1e10, slice: 1e6, depthLimit: 5000 };
const RUNS = 40;

interface Input {
  op: FreenetOp | "run";
  parameters: Uint8Array;
  state: Uint8Array;
  third?: Uint8Array;
}

function callOf(input: Input): ContractCall {
  if (input.op === "run") return { op: "run", input: bytesInput(input.state) };
  const { op, parameters, state, third } = input;
  return { op, parameters, state: bytesInput(state), ...(third === undefined ? {} : { third }) };
}

/** Decoded results with every byte view copied out of guest memory, as hex. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, plain(v)]));
  }
  return value;
}

interface Execution {
  result: unknown;
  fuel: unknown;
  details?: Record<string, unknown>;
}

async function execute(module: WebAssembly.Module, input: Input, fuel?: FuelOptions): Promise<Execution> {
  try {
    const outcome = await runContract(module, callOf(input), {
      jspi: false,
      memoryLimitBytes: MEMORY_LIMIT,
      ...(fuel ? { fuel } : {}),
    });
    return { result: plain(outcome.value), fuel: outcome.fuel };
  } catch (error) {
    if (!(error instanceof EdgeError)) throw error;
    return { result: { error: error.code }, fuel: error.details?.fuel ?? null, details: error.details };
  }
}

// Inputs: well-formed pieces mixed with arbitrary bytes, for every Freenet export.
const id = fc.uint8Array({ minLength: 32, maxLength: 32 });
const junk = (maxLength: number) => fc.uint8Array({ maxLength });

function updateData(piece: fc.Arbitrary<Uint8Array>): fc.Arbitrary<UpdateData> {
  return fc.oneof(
    piece.map((delta) => ({ kind: "Delta" as const, delta })),
    piece.map((state) => ({ kind: "State" as const, state })),
    fc.tuple(piece, piece).map(([state, delta]) => ({ kind: "StateAndDelta" as const, state, delta })),
    fc.tuple(id, piece).map(([relatedTo, state]) => ({ kind: "RelatedState" as const, relatedTo, state })),
    fc.tuple(id, piece).map(([relatedTo, delta]) => ({ kind: "RelatedDelta" as const, relatedTo, delta })),
  );
}

interface Parts {
  parameters: fc.Arbitrary<Uint8Array>;
  state: fc.Arbitrary<Uint8Array>;
  /** States and deltas inside update data and related states. */
  piece: fc.Arbitrary<Uint8Array>;
  summary: fc.Arbitrary<Uint8Array>;
  run?: fc.Arbitrary<Input>;
}

function inputs({ parameters, state, piece, summary, run }: Parts): fc.Arbitrary<Input> {
  const related = fc.oneof(
    { weight: 4, arbitrary: fc.array(fc.tuple(id, fc.option(piece, { nil: null })), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  const updates = fc.oneof(
    { weight: 4, arbitrary: fc.array(updateData(piece), { maxLength: 4 }).map(encodeUpdateData) },
    { weight: 1, arbitrary: junk(40) },
  );
  const freenet = fc.oneof(
    fc.record({
      op: fc.constant("validate_state" as const),
      parameters,
      state,
      third: fc.tuple(related, junk(40)).map(([r, j]) => (r ? encodeRelatedContracts(r) : j)),
    }),
    fc.record({ op: fc.constant("update_state" as const), parameters, state, third: updates }),
    fc.record({ op: fc.constant("summarize_state" as const), parameters, state }),
    fc.record({ op: fc.constant("get_state_delta" as const), parameters, state, third: summary }),
  );
  return run ? fc.oneof(freenet, run) : freenet;
}

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(u64le);
const logs = fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }).map(logEntries);
const logSummary = fc.tuple(fc.nat(10), fc.nat(400)).map(([n, bytes]) => concat(u64le(n), u64le(bytes)));

interface Writer {
  publicKey: Uint8Array;
  privateKey: KeyObject;
}
function writer(): Writer {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { publicKey: new Uint8Array(raw), privateKey };
}
const alice = writer();
const mallory = writer();
const signedState = (by: Writer, version: bigint, payload: Uint8Array) =>
  concat(u64le(version), sign(null, concat(u64le(version), payload), by.privateKey), payload);
const signed = fc
  .tuple(
    fc.constantFrom(alice, alice, mallory),
    fc.bigInt({ min: 0n, max: 20n }),
    fc.uint8Array({ maxLength: 200 }),
  )
  .map(([by, version, payload]) => signedState(by, version, payload));
const tampered = fc.tuple(signed, fc.nat()).map(([state, at]) => {
  const copy = state.slice();
  copy[at % copy.length]! ^= 1;
  return copy;
});
const signedStates = fc.oneof(signed, tampered, junk(80));

const empty = new Uint8Array(0);
const hostileParameters = fc.oneof(
  fc.constant(empty),
  fc.tuple(fc.constantFrom(0, 1, 2, 5, 6), junk(4)).map(([mode, rest]) => concat(Uint8Array.of(mode), rest)),
);

interface Target {
  name: string;
  bytes: () => Promise<Uint8Array<ArrayBuffer>> | Uint8Array<ArrayBuffer>;
  input: fc.Arbitrary<Input>;
  /** Inputs always tried first (large states cross refill boundaries, so host charges count too). */
  examples?: Input[];
}

const fixture = (name: string) => () => new Uint8Array(buildArtifact(`contracts/${name}.wasm`));
const targets: Target[] = [
  {
    name: "counter",
    bytes: () => contractBytes("counter"),
    input: inputs({
      parameters: fc.constant(empty),
      state: fc.oneof(u64, junk(12)),
      piece: fc.oneof(u64, junk(10)),
      summary: fc.oneof(u64, junk(10)),
    }),
  },
  {
    name: "append-log",
    bytes: () => contractBytes("append-log"),
    input: inputs({
      parameters: fc.constant(empty),
      state: fc.oneof(logs, junk(40)),
      piece: fc.oneof(logs, junk(20)),
      summary: fc.oneof(logSummary, junk(20)),
    }),
    examples: [{ op: "summarize_state", parameters: empty, state: logOfSize(200_000, 3000) }],
  },
  {
    name: "signed-state",
    bytes: () => contractBytes("signed-state"),
    input: inputs({
      parameters: fc.oneof(
        { weight: 4, arbitrary: fc.constant(alice.publicKey) },
        { weight: 1, arbitrary: junk(33) },
      ),
      state: signedStates,
      piece: signedStates,
      summary: fc.oneof(fc.bigInt({ min: 0n, max: 25n }).map(u64le), junk(10)),
    }),
    examples: [
      {
        op: "validate_state",
        parameters: alice.publicKey,
        state: signedState(alice, 3n, logOfSize(150_000)),
        third: encodeRelatedContracts([]),
      },
    ],
  },
  {
    name: "accept-all",
    bytes: fixture("accept-all"),
    input: inputs({ parameters: junk(8), state: junk(100), piece: junk(20), summary: junk(20) }),
    examples: [
      { op: "validate_state", parameters: empty, state: logOfSize(300_000), third: new Uint8Array(8) },
    ],
  },
  {
    name: "hostile",
    bytes: fixture("hostile"),
    input: inputs({ parameters: hostileParameters, state: junk(40), piece: junk(20), summary: junk(20) }),
  },
  {
    name: "related",
    bytes: fixture("related"),
    input: inputs({
      parameters: fc
        .tuple(id, fc.constantFrom([], [0], [1]))
        .map(([i, mode]) => concat(i, Uint8Array.from(mode))),
      state: junk(40),
      piece: junk(20),
      summary: junk(20),
    }),
  },
  {
    name: "runaway",
    bytes: fixture("runaway"),
    input: inputs({
      parameters: fc.constant(Uint8Array.of(0)),
      state: junk(40),
      piece: junk(20),
      summary: junk(20),
      run: junk(20).map((rest) => ({
        op: "run" as const,
        parameters: empty,
        state: concat(Uint8Array.of(0), rest),
      })),
    }),
  },
];

const modules = new Map<string, { original: WebAssembly.Module; metered: WebAssembly.Module }>();

beforeAll(async () => {
  for (const target of targets) {
    const bytes = await target.bytes();
    modules.set(target.name, {
      original: new WebAssembly.Module(bytes),
      metered: new WebAssembly.Module(meterModule(bytes).bytes),
    });
  }
}, 60_000);

describe("metered and unmetered runs agree", () => {
  it.each(targets.map((t) => [t.name, t] as const))(
    "%s: same decoded results; the same fuel every time and whatever the slice; exactly that much suffices",
    async (name, target) => {
      const { original, metered } = modules.get(name)!;
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(target.input, async (input) => {
          const unmetered = await execute(original, input);
          const first = await execute(metered, input, GENEROUS);
          expect(first.result).toEqual(unmetered.result);
          expect(unmetered.fuel).toBeNull();
          expect(first.fuel).toBeGreaterThan(0);
          expect(await execute(metered, input, GENEROUS)).toEqual(first);
          expect(await execute(metered, input, { ...GENEROUS, slice: 997 })).toEqual(first);

          const used = first.fuel as number;
          const exact = await execute(metered, input, { ...GENEROUS, limit: used });
          expect(exact.result).toEqual(first.result);
          const short = await execute(metered, input, { ...GENEROUS, limit: used - 1 });
          expect(short.result).toEqual({ error: "CONTRACT_OUT_OF_FUEL" });
          expect(short.details).toMatchObject({ limit: used - 1, fuel: used - 1 });
          seen.add(JSON.stringify(first.result).slice(0, 40));
        }),
        { numRuns: RUNS, examples: (target.examples ?? []).map((input) => [input]) },
      );
      // The inputs reached more than one kind of answer.
      expect(seen.size).toBeGreaterThan(1);
    },
    60_000,
  );
});
