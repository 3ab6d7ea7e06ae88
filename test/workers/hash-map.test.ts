// The hash-map example (contracts/examples/hash-map) keeps its table in
// linear storage; 10,000 random operations over many requests and a DO
// eviction must agree with an in-memory model.
import { SELF, env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createInstance } from "./support/api.js";
import { contractUrl } from "./support/exec.js";

type Op =
  | { kind: "put"; key: string; value: Uint8Array }
  | { kind: "get"; key: string }
  | { kind: "delete"; key: string };

const encoder = new TextEncoder();

function encode(ops: Op[]): Uint8Array {
  const parts: number[] = [];
  for (const op of ops) {
    const key = encoder.encode(op.key);
    parts.push(op.kind === "put" ? 1 : op.kind === "get" ? 2 : 3, key.length, ...key);
    if (op.kind === "put") parts.push(op.value.length & 255, op.value.length >> 8, ...op.value);
  }
  return Uint8Array.from(parts);
}

/** The answers the model expects, in the contract's response format. */
function expected(ops: Op[], model: Map<string, Uint8Array>): Uint8Array {
  const out: number[] = [];
  for (const op of ops) {
    if (op.kind === "put") {
      out.push(model.has(op.key) ? 1 : 0);
      model.set(op.key, op.value);
    } else if (op.kind === "get") {
      const value = model.get(op.key);
      if (value) out.push(1, value.length & 255, value.length >> 8, ...value);
      else out.push(0, 0, 0);
    } else {
      out.push(model.delete(op.key) ? 1 : 0);
    }
  }
  return Uint8Array.from(out);
}

// A small deterministic generator so a failure replays.
function random(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

describe("hash-map contract over linear storage", () => {
  it("agrees with a model over 10,000 random operations, many requests and a DO eviction", async () => {
    const id = await createInstance({}, "hash-map", new Uint8Array(0));
    const next = random(20261121);
    const model = new Map<string, Uint8Array>();
    const batches = 40;
    for (let batch = 0; batch < batches; batch++) {
      const ops: Op[] = Array.from({ length: 250 }, () => {
        const key = `k${Math.floor(next() * 300)}`;
        const roll = next();
        if (roll < 0.45) {
          const value = Uint8Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256));
          return { kind: "put", key, value };
        }
        return roll < 0.8 ? { kind: "get", key } : { kind: "delete", key };
      });
      const want = expected(ops, model);
      const response = await SELF.fetch(contractUrl(id, "run"), { method: "POST", body: encode(ops) });
      expect(response.status).toBe(200);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(want);
      if (batch === batches / 2) await evictDurableObject(env.CONTRACTS.get(env.CONTRACTS.idFromName(id)));
    }
  });
});
