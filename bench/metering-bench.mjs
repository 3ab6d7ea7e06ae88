// Fuel-metering figures (issue 8): the cost of metering on a streamed 64 MiB
// validation (the same contract unmetered is the baseline, same run), how long
// a small request waits while another contract burns its whole budget, and the
// rewriter's own throughput.
import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { createInstance, putStream, timed } from "./http-client.mjs";

const MiB = 1024 * 1024;
const UNMETERED = { "x-bench-unmetered": "1" };
const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

/** An append-log state (entries [u32 len][len bytes]) of `size` bytes in entries of `entry` bytes. */
function appendLog(entry) {
  const record = Buffer.alloc(4 + entry, 7);
  record.writeUInt32LE(entry);
  return (offset, length) => {
    const out = Buffer.alloc(length);
    for (let at = 0; at < length; at++) out[at] = record[(offset + at) % record.length];
    return out;
  };
}

export async function meteringBench({ origin, json, quick, log }) {
  const upload = (name, parameters, headers = {}) =>
    createInstance(json, readFileSync(`build/contracts/${name}.wasm`), parameters, headers);
  const putState = async (id, size, bodyOf, headers = {}) => {
    const [status, text] = await putStream(`${origin}/v1/contracts/${id}/state`, size, 0, bodyOf, headers);
    if (status !== 200) throw new Error(`PUT state: ${status} ${text}`);
  };
  const validateMs = async (id, headers, reps) => {
    const runs = [];
    let fuel = null;
    for (let i = 0; i < reps; i++) {
      const run = await timed(() => json(`/v1/contracts/${id}/validate`, { method: "POST", headers }));
      runs.push(run.ms);
      fuel = run.result.execution.fuel;
    }
    return { ms: median(runs), fuel };
  };

  const reps = quick ? 3 : 5;
  const results = {};
  for (const [key, entry, size] of [
    ["validate", MiB - 4, 64 * MiB],
    // Context: an instruction-bound validation (16-byte entries: 4 Mi entries walked).
    ["compute", 12, 16 * MiB],
  ]) {
    log(`metering: ${size / MiB} MiB append-log validate (${entry + 4}-byte entries), metered vs unmetered`);
    const metered = await upload("append-log", `bench-metered-${key}-${Date.now()}`);
    const plain = await upload("append-log", `bench-unmetered-${key}-${Date.now()}`, UNMETERED);
    await putState(metered, size, appendLog(entry));
    await putState(plain, size, appendLog(entry), UNMETERED);
    // Alternate the two so machine noise hits both alike.
    const m = [];
    const u = [];
    let fuel = 0;
    for (let i = 0; i < reps; i++) {
      const one = await validateMs(metered, {}, 1);
      m.push(one.ms);
      fuel = one.fuel;
      u.push((await validateMs(plain, UNMETERED, 1)).ms);
    }
    results[`metered_vs_unmetered_${key}`] = median(u) / median(m);
    results[`${key}_metered_ms`] = median(m);
    results[`${key}_unmetered_ms`] = median(u);
    results[`${key}_fuel`] = fuel;
  }

  log("metering: a small GET on another instance, idle and while a runaway burns its budget");
  const counter = await upload("counter", `bench-side-${Date.now()}`);
  await putState(counter, 8, () => Buffer.alloc(8));
  const sideGet = async () =>
    (await timed(() => fetch(`${origin}/v1/contracts/${counter}/state`).then((r) => r.arrayBuffer()))).ms;
  const idle = [];
  for (let i = 0; i < (quick ? 30 : 60); i++) idle.push(await sideGet());
  const runaway = await upload("runaway", `bench-runaway-${Date.now()}`);
  const runawayState = { settled: false };
  const burning = timed(() =>
    fetch(`${origin}/v1/contracts/${runaway}/run`, { method: "POST", body: Uint8Array.of(1) }).then(
      async (r) => {
        runawayState.settled = true;
        return [r.status, await r.json()];
      },
    ),
  );
  const busy = [];
  while (!runawayState.settled && busy.length < 200) busy.push(await sideGet());
  const burnt = await burning;
  if (burnt.result[0] !== 422 || burnt.result[1].error.code !== "CONTRACT_OUT_OF_FUEL") {
    throw new Error(`runaway answered ${burnt.result[0]} ${JSON.stringify(burnt.result[1])}`);
  }
  // The last one may have waited on the runaway's final slice only partly; drop it.
  busy.pop();
  results.runaway_side_latency_p50_ms = median(busy);
  results.idle_side_latency_p50_ms = median(idle);
  results.runaway_vs_idle_side_latency =
    results.runaway_side_latency_p50_ms / results.idle_side_latency_p50_ms;
  results.runaway_side_requests = busy.length;
  results.runaway_budget_ms = burnt.ms;

  log("metering: rewriter throughput on the largest example contract");
  results.instrument_mib_s = await instrumentRate(quick);
  return results;
}

/** Runs the rewriter in this process (bundled from src/, as the Worker bundles it). */
async function instrumentRate(quick) {
  const bundle = await build({
    entryPoints: ["src/metering/meter-module.ts"],
    bundle: true,
    format: "esm",
    platform: "neutral",
    write: false,
    logLevel: "warning",
  });
  const url = `data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString("base64")}`;
  const { meterModule } = await import(url);
  const largest = ["append-log", "counter", "hash-map", "signed-state", "work-journal"]
    .map((name) => readFileSync(`build/contracts/${name}.wasm`))
    .reduce((a, b) => (b.length > a.length ? b : a));
  for (let i = 0; i < 50; i++) meterModule(largest); // warm up the JIT
  const rounds = quick ? 200 : 1000;
  const run = await timed(async () => {
    for (let i = 0; i < rounds; i++) meterModule(largest);
  });
  return (largest.length * rounds) / MiB / (run.ms / 1000);
}
