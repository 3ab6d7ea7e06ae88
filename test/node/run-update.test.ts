// An update end to end in one node process: runUpdate over the production
// StateStore (node:sqlite) and ContractExecutor, whose sandbox port runs the
// sandbox's own executeContract on the build's lax-update contract. It sees
// every call the DO would make to the sandbox.
import { describe, expect, it } from "vitest";
import { ContractExecutor } from "../../src/contract/contract-executor.js";
import { runUpdate, updatesOf } from "../../src/contract/run-update.js";
import { INLINE_CALL_BYTES } from "../../src/limits.js";
import type { ContractRequest } from "../../src/protocol/sandbox-call.js";
import { executeContract } from "../../src/sandbox/execute-contract.js";
import { StateStore } from "../../src/store/state/state-store.js";
import { StateTables } from "../../src/store/state/state-tables.js";
import { drain, streamOf } from "../support/bytes.js";
import { newStateDigest } from "../../src/hashing/state-digest.js";
import { nodeSql } from "./support/node-sql.js";
import { contractModule } from "./support/wasm.js";
import { unmeteredSettings } from "./support/execution-settings.js";

const module = contractModule("lax-update");
const MARKER = 0xee; // lax-update's validate_state refuses a state holding it
const settings = unmeteredSettings;

async function setup(head: Uint8Array) {
  const sql = nodeSql();
  const statements: string[] = [];
  const exec = sql.exec.bind(sql);
  sql.exec = (query, ...bindings) => {
    statements.push(query);
    return exec(query, ...bindings);
  };
  let now = 1_000;
  const state = new StateStore(new StateTables(sql), { now: () => now++ }, newStateDigest, {
    maxStateBytes: 1 << 24,
  });
  await state.put(streamOf([head]), { expectedLength: head.length });
  const calls: ContractRequest[] = [];
  const executor = new ContractExecutor({
    sandbox: {
      run: (request, ports) => {
        calls.push(request);
        return executeContract(module, request, ports);
      },
    },
    openState: (blob) => {
      const pinned = state.pin(blob);
      return { reader: { read: pinned.read }, release: pinned.release };
    },
    relatedStates: async () => [],
    settings,
    parameters: new Uint8Array(0),
    namespacePorts: () => ({}),
  });
  const update = (next: Uint8Array) =>
    runUpdate(state, executor, updatesOf({ kind: "state", data: next }), {}, () => {});
  const headBytes = async () => {
    const version = state.head();
    if (!version) throw new Error("no head");
    return drain(state.read(version, { start: 0, end: version.size }));
  };
  return {
    state,
    statements,
    calls,
    update,
    headBytes,
    frames: () => Number(sql.exec("SELECT COUNT(*) AS n FROM state_frames")[0]?.n),
  };
}

describe("an update of a small state", () => {
  it("takes one sandbox call: the head rides in it and the new state is judged there", async () => {
    const { calls, update, headBytes } = await setup(new Uint8Array([1, 2, 3]));
    const result = await update(new Uint8Array([4, 5]));
    expect(result).toMatchObject({ version: 2, changed: true, size: 2 });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      op: "update_state",
      validateResult: true,
      state: new Uint8Array([1, 2, 3]),
    });
    expect(await headBytes()).toEqual(new Uint8Array([4, 5]));
  });

  it("refuses a new state the contract finds invalid and commits nothing", async () => {
    const { state, calls, update, headBytes, frames } = await setup(new Uint8Array([1, 2, 3]));
    await expect(update(new Uint8Array([MARKER]))).rejects.toMatchObject({
      code: "CONTRACT_REJECTED",
      details: { call: "validate_state", variant: "Invalid" },
    });
    expect(calls).toHaveLength(1);
    expect(state.head()?.version).toBe(1);
    expect(await headBytes()).toEqual(new Uint8Array([1, 2, 3]));
    expect(frames()).toBe(1);
  });

  it("makes no version for a result identical to the head, and judges nothing", async () => {
    const { calls, update } = await setup(new Uint8Array([1, 2, 3]));
    expect(await update(new Uint8Array([1, 2, 3]))).toMatchObject({ version: 1, changed: false });
    expect(calls).toHaveLength(1);
  });

  it("reads nothing and writes the row and the version once the head came from an update", async () => {
    const { statements, update, headBytes } = await setup(new Uint8Array([1, 2, 3]));
    await update(new Uint8Array([4, 5]));
    statements.length = 0;
    await update(new Uint8Array([6, 7]));
    expect(statements.map((query) => query.split(" ").slice(0, 3).join(" "))).toEqual([
      "INSERT OR REPLACE",
      "INSERT INTO state_versions",
    ]);
    expect(await headBytes()).toEqual(new Uint8Array([6, 7]));
  });

  it("replaces the old version's frame in the same commit", async () => {
    const { update, frames } = await setup(new Uint8Array([1, 2, 3]));
    for (let i = 0; i < 5; i++) await update(new Uint8Array([i, i]));
    expect(frames()).toBe(1);
  });
});

describe("an update of a large state", () => {
  it("pages the head and judges the new state in a second call", async () => {
    const head = new Uint8Array(INLINE_CALL_BYTES + 1).fill(1);
    const { calls, update, headBytes } = await setup(head);
    expect(await update(new Uint8Array([7]))).toMatchObject({ version: 2, changed: true });
    expect(calls.map((call) => [call.op, call.state === undefined])).toEqual([
      ["update_state", true],
      ["validate_state", false],
    ]);
    expect(await headBytes()).toEqual(new Uint8Array([7]));
  });
});
