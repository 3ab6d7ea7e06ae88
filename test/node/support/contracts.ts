// Loads the AssemblyScript example contracts and drives them through the real
// Freenet host (runContract). Contracts are compiled from source in the test
// process with the flags scripts/build.mjs uses, so a test never runs a stale
// build/contracts/*.wasm.
import { main as asc } from "assemblyscript/asc";
import { fileURLToPath } from "node:url";
import { runContract, type FreenetOp, type ContractOutcome } from "../../../src/sandbox/contract-runner.js";
import {
  encodeRelatedContracts,
  encodeUpdateData,
  type BincodeResult,
  type ContractErrorValue,
  type UpdateData,
  type UpdateModification,
  type ValidateResult,
} from "../../../src/protocol/freenet-bincode.js";
import { bytesInput, type InputSource } from "../../../src/guest-abi/input-source.js";
import { concat } from "../../support/bytes.js";

export { concat };

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
// Keep in step with CONTRACT_FLAGS in scripts/build.mjs.
const CONTRACT_FLAGS = ["-O3", "--runtime", "stub", "--use", "abort=", "--enable", "simd"];

const compiled = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

/** contracts/examples/<name>/assembly/index.ts, compiled once per test file. */
export async function loadContract(name: string): Promise<WebAssembly.Module> {
  return new WebAssembly.Module(await contractBytes(name));
}

export function contractBytes(name: string): Promise<Uint8Array<ArrayBuffer>> {
  return entryBytes(`contracts/examples/${name}/assembly/index.ts`);
}

/** Any AssemblyScript entry (path from the repository root), compiled like a contract. */
export async function compileEntry(entry: string): Promise<WebAssembly.Module> {
  return new WebAssembly.Module(await entryBytes(entry));
}

function entryBytes(entry: string): Promise<Uint8Array<ArrayBuffer>> {
  let bytes = compiled.get(entry);
  if (!bytes) {
    bytes = compile(entry);
    compiled.set(entry, bytes);
  }
  return bytes;
}

async function compile(entry: string): Promise<Uint8Array<ArrayBuffer>> {
  let binary: Uint8Array | undefined;
  const { error, stderr } = await asc(
    [entry, "--outFile", "out.wasm", "--baseDir", ROOT, ...CONTRACT_FLAGS],
    {
      writeFile(filename, contents) {
        if (filename.endsWith(".wasm") && contents instanceof Uint8Array) binary = contents;
      },
    },
  );
  if (error || !binary) throw new Error(`asc failed for ${entry}: ${error?.message}\n${stderr.toString()}`);
  return new Uint8Array(binary);
}

export const MEMORY_LIMIT = 64 << 20;

export interface CallInput {
  parameters?: Uint8Array;
  state?: Uint8Array | InputSource;
  third?: Uint8Array;
}

export function run(module: WebAssembly.Module, op: FreenetOp, input: CallInput): Promise<ContractOutcome> {
  const state = input.state ?? new Uint8Array(0);
  return runContract(
    module,
    {
      op,
      parameters: input.parameters ?? new Uint8Array(0),
      state: state instanceof Uint8Array ? bytesInput(state) : state,
      third: input.third,
    },
    { jspi: false, memoryLimitBytes: MEMORY_LIMIT },
  );
}

export async function validate(
  module: WebAssembly.Module,
  state: Uint8Array | InputSource,
  options: { parameters?: Uint8Array; related?: Uint8Array } = {},
): Promise<BincodeResult<ValidateResult>> {
  const outcome = await run(module, "validate_state", {
    parameters: options.parameters,
    state,
    third: options.related ?? encodeRelatedContracts([]),
  });
  if (outcome.value.op !== "validate_state") throw new Error("wrong op");
  const result = outcome.value.result;
  // Copy ids out of guest memory so they stay valid whatever the instance does next.
  if (result.ok && result.value.kind === "requestRelated") {
    return { ok: true, value: { kind: "requestRelated", ids: result.value.ids.map((id) => id.slice()) } };
  }
  return result;
}

export async function update(
  module: WebAssembly.Module,
  state: Uint8Array | InputSource,
  updates: UpdateData[] | Uint8Array,
  parameters?: Uint8Array,
): Promise<BincodeResult<UpdateModification>> {
  const third = updates instanceof Uint8Array ? updates : encodeUpdateData(updates);
  const outcome = await run(module, "update_state", { parameters, state, third });
  if (outcome.value.op !== "update_state") throw new Error("wrong op");
  const result = outcome.value.result;
  if (!result.ok) return result;
  const { newState, related } = result.value;
  return { ok: true, value: { newState: newState && newState.slice(), related } };
}

export async function summarize(
  module: WebAssembly.Module,
  state: Uint8Array | InputSource,
  parameters?: Uint8Array,
): Promise<BincodeResult<Uint8Array>> {
  const outcome = await run(module, "summarize_state", { parameters, state });
  return copyBytes(outcome);
}

export async function stateDelta(
  module: WebAssembly.Module,
  state: Uint8Array | InputSource,
  summary: Uint8Array,
  parameters?: Uint8Array,
): Promise<BincodeResult<Uint8Array>> {
  const outcome = await run(module, "get_state_delta", { parameters, state, third: summary });
  return copyBytes(outcome);
}

function copyBytes(outcome: ContractOutcome): BincodeResult<Uint8Array> {
  const value = outcome.value;
  if (value.op !== "summarize_state" && value.op !== "get_state_delta") throw new Error("wrong op");
  return value.result.ok ? { ok: true, value: value.result.value.slice() } : value.result;
}

/** The value of an Ok result, failing the test with the contract's error otherwise. */
export function okValue<T>(result: BincodeResult<T>): T {
  if (!result.ok) throw new Error(`expected Ok, got Err(${JSON.stringify(result.error)})`);
  return result.value;
}

export function errOf<T>(result: BincodeResult<T>): ContractErrorValue {
  if (result.ok) throw new Error("expected Err, got Ok");
  return result.error;
}

/** Serves `bytes` in pieces of at most `chunk` bytes (the host pumps pieces into each refill). */
export function chunkedInput(bytes: Uint8Array, chunk: number): InputSource {
  let at = 0;
  return {
    length: bytes.length,
    next(max) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + Math.min(max, chunk)));
      at += piece.length;
      return piece;
    },
  };
}

/** Announces `claimed` bytes but delivers only `bytes`: the guest sees fill_buffer return 0 early. */
export function shortInput(bytes: Uint8Array, claimed: number): InputSource {
  const source = bytesInput(bytes);
  return { length: claimed, next: (max) => source.next(max) };
}

export function u64le(value: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

export function readU64le(bytes: Uint8Array, at = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(at, true);
}

/** append-log entries: `[u32 LE len][len bytes]` each. */
export function logEntries(entries: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, entry.length, true);
    parts.push(header, entry);
  }
  return concat(...parts);
}

/** One append-log entry of `total` bytes including its 4-byte header (total >= 4). */
export function logOfSize(total: number, entrySize = 1000): Uint8Array {
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  while (at < total) {
    const left = total - at;
    // Never leave a 1..3-byte tail that cannot hold a header.
    let body = Math.min(entrySize, left - 4);
    if (left - 4 - body > 0 && left - 4 - body < 4) body = left - 4;
    view.setUint32(at, body, true);
    for (let i = 0; i < body; i++) out[at + 4 + i] = (at + i) & 255;
    at += 4 + body;
  }
  return out;
}
