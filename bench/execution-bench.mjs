// Contract-execution figures (issue 3): guest memory streaming vs legacy, a
// small update vs a bare DO round trip, cold vs warm sandbox, validate rate.
import { readFileSync } from "node:fs";
import { createInstance, putStream, timed } from "./http-client.mjs";

const MiB = 1024 * 1024;

/** A well-formed append-log state (entries [u32 len][bytes]) of exactly `size` bytes, built in 1 MiB entries. */
function appendLogChunks(size) {
  const entry = MiB - 4;
  const header = Buffer.alloc(4);
  header.writeUInt32LE(entry);
  const body = Buffer.alloc(entry, 7);
  if (size % MiB !== 0) throw new Error("append-log bench states are whole MiB");
  return { size, chunk: Buffer.concat([header, body]) };
}

/** Appends a custom section with random bytes: a new code hash, hence a cold sandbox. */
function freshVariant(wasm) {
  const name = Buffer.from("bench");
  const payload = Buffer.concat([
    Buffer.from([name.length]),
    name,
    Buffer.from(crypto.getRandomValues(new Uint8Array(16))),
  ]);
  return Buffer.concat([wasm, Buffer.from([0, payload.length]), payload]);
}

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

export async function executionBench({ origin, json, quick, log }) {
  const upload = (name, parameters, wasm = readFileSync(`build/contracts/${name}.wasm`)) =>
    createInstance(json, wasm, parameters);
  const putState = async (id, size, bodyOf) => {
    const [status, text] = await putStream(`${origin}/v1/contracts/${id}/state`, size, 0, bodyOf);
    if (status !== 200) throw new Error(`PUT state: ${status} ${text}`);
  };
  const validate = (id) => json(`/v1/contracts/${id}/validate`, { method: "POST" });

  log("execution: 64 MiB append-log validate (streaming guest)");
  const log64 = await upload("append-log", `bench-log-${Date.now()}`);
  const { chunk } = appendLogChunks(64 * MiB);
  await putState(log64, 64 * MiB, (offset, length) => chunk.subarray(offset % MiB, (offset % MiB) + length));
  const validations = [];
  let streaming;
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const run = await timed(() => validate(log64));
    validations.push(run.ms);
    streaming = run.result.execution;
  }

  log("execution: 64 MiB legacy guest (one whole buffer)");
  const legacy = await upload("hostile", Buffer.from([0, ...Buffer.from(`bench-legacy-${Date.now()}`)]));
  await putState(legacy, 64 * MiB);
  const legacyRun = (await validate(legacy)).execution;

  log("execution: small counter updates vs bare DO round trips");
  const counter = await upload("counter", `bench-counter-${Date.now()}`);
  const zero = Buffer.alloc(8);
  await putState(counter, 8, () => zero);
  const one = Buffer.alloc(8);
  one.writeBigUInt64LE(1n);
  const rounds = quick ? 20 : 60;
  const updateMs = [];
  const bareMs = [];
  for (let i = 0; i < rounds; i++) {
    updateMs.push(
      (await timed(() => json(`/v1/contracts/${counter}/updates?kind=delta`, { method: "POST", body: one })))
        .ms,
    );
    bareMs.push((await timed(() => json("/__bench/raw?op=ping"))).ms);
  }

  log("execution: updates of a 64 KiB append-log state (update_state, then validate_state on the result)");
  const log64k = await upload("append-log", `bench-update-64k-${Date.now()}`);
  // 64 KiB of 1 KiB entries; each update appends one 12-byte entry.
  const entry = Buffer.alloc(1024);
  entry.writeUInt32LE(1020);
  await putState(log64k, 64 * 1024, (offset, length) =>
    Buffer.concat(Array(64).fill(entry)).subarray(offset, offset + length),
  );
  const delta = Buffer.alloc(16, 3);
  delta.writeUInt32LE(12);
  const validatedMs = [];
  for (let i = 0; i < (quick ? 10 : 30); i++) {
    validatedMs.push(
      (await timed(() => json(`/v1/contracts/${log64k}/updates?kind=delta`, { method: "POST", body: delta })))
        .ms,
    );
  }

  log("execution: cold first call of newly uploaded code vs warm calls");
  const fresh = freshVariant(readFileSync("build/contracts/counter.wasm"));
  const cold = await upload("counter", `bench-cold-${Date.now()}`, fresh);
  const coldZero = Buffer.alloc(8);
  const coldMs = (await timed(() => putStream(`${origin}/v1/contracts/${cold}/state`, 8, 0, () => coldZero)))
    .ms;
  const warmMs = [];
  for (let i = 0; i < (quick ? 5 : 15); i++) {
    warmMs.push(
      (await timed(() => putStream(`${origin}/v1/contracts/${cold}/state`, 8, 0, () => coldZero))).ms,
    );
  }

  const update = median(updateMs);
  const bare = median(bareMs);
  return {
    guest_mem_streaming_64mib_bytes: streaming.guestMemoryBytes - streaming.baselineBytes,
    guest_mem_legacy_64mib_bytes: legacyRun.guestMemoryBytes - legacyRun.baselineBytes,
    update_small_p50_ms: update,
    bare_do_p50_ms: bare,
    update_small_vs_bare_do: update / bare,
    update_validated_64kib_ms: median(validatedMs),
    cold_first_call_ms: coldMs,
    warm_call_ms: median(warmMs),
    validate_64mib_mib_s: 64 / (median(validations) / 1000),
  };
}
