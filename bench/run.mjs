// `npm run bench [-- --quick] [-- --json]`: full-stack state throughput against
// raw DO SQLite measured in the same run (64 KiB rows and larger ones), and the
// runtime's memory while a 256 MiB state goes through; bare HTTP transport is
// measured too, since with raw SQL it sets the ceiling the state figures meet.
// Prints a table (or JSON) and writes bench/results/latest.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevServer } from "../scripts/dev-server.mjs";
import { createInstance, getCount, putStream, timed } from "./http-client.mjs";
import { callBench } from "./call-bench.mjs";
import { shmBench } from "./shm-bench.mjs";
import { subscriptionBench } from "./subscription-bench.mjs";
import { clientBench } from "./client-bench.mjs";
import { componentBench } from "./component-bench.mjs";
import { executionBench } from "./execution-bench.mjs";
import { leaseBench } from "./lease-bench.mjs";
import { meteringBench } from "./metering-bench.mjs";
import { storageBench } from "./storage-bench.mjs";
import { throughputBench } from "./throughput-bench.mjs";
import { findWorkerd, peakRss } from "./process-memory.mjs";

const quick = process.argv.includes("--quick");
const asJson = process.argv.includes("--json");
const MiB = 1024 * 1024;
const FRAME = 64 * 1024;
// Row-size baselines (issue 16), 16 rows per transaction each; the largest
// stays under DO SQLite's 2 MB row limit with room for the key columns.
const ROW_SIZES = [
  { key: "64k", rowBytes: FRAME },
  { key: "1m", rowBytes: MiB },
  { key: "2m", rowBytes: Math.floor(1.9 * MiB) },
];
const ROWS_PER_TXN = 16;
const sizeMiB = quick ? 16 : 64;
const reps = quick ? 3 : 5;
const port = Number(process.env.BENCH_PORT ?? 18790);

const median = (values) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const meets = ([op, bound], value) =>
  op === ">=" ? value >= bound : op === "<=" ? value <= bound : value < bound;
// Ratios get 3 digits; counts (bytes, fuel, requests, errors) none; the rest one.
const digitsFor = (key) => {
  if (key.includes("_vs_")) return 3;
  const count = ["_bytes", "_fuel", "_requests", "_errors"].some(
    (unit) => key.endsWith(unit) || key.includes(`${unit}_`),
  );
  return count ? 0 : 1;
};
const log = (message) => {
  if (!asJson) console.error(message);
};

const persistTo = mkdtempSync(join(tmpdir(), "edge-bench-"));
const server = await startDevServer({
  port,
  config: "bench/wrangler.bench.toml",
  persistTo,
  quiet: true,
  // Room for the 256 MiB memory run.
  vars: { MAX_STATE_BYTES: String(512 * MiB) },
});

async function json(path, init) {
  const response = await fetch(`${server.origin}${path}`, init);
  if (!response.ok)
    throw new Error(`${init?.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

try {
  const id = await createInstance(
    json,
    readFileSync("build/contracts/accept-all.wasm"),
    `bench-${Date.now()}`,
  );
  const stateUrl = `${server.origin}/v1/contracts/${id}/state`;

  const put = async (bytes, seed) => {
    const [status, text] = await putStream(stateUrl, bytes, seed);
    if (status !== 200) throw new Error(`PUT state: ${status} ${text}`);
  };
  const get = async (bytes) => {
    const [status, received] = await getCount(stateUrl);
    if (status !== 200 || received !== bytes)
      throw new Error(`GET state: ${status}, ${received} of ${bytes} bytes`);
  };

  log(`warming up (${server.origin})`);
  await put(4 * MiB, 1);
  await get(4 * MiB);
  await json(`/__bench/raw?op=write&blob=0&frames=64`);
  await json(`/__bench/raw?op=read&blob=0`);

  const bytes = sizeMiB * MiB;
  const putMs = [];
  const getMs = [];
  const rawPutMs = [];
  const rawGetMs = [];
  const sinkMs = [];
  const sourceMs = [];
  for (let rep = 0; rep < reps; rep++) {
    log(`rep ${rep + 1}/${reps}: ${sizeMiB} MiB state PUT/GET and raw SQL write/read`);
    putMs.push((await timed(() => put(bytes, rep))).ms);
    getMs.push((await timed(() => get(bytes))).ms);
    const blob = rep + 1;
    rawPutMs.push((await timed(() => json(`/__bench/raw?op=write&blob=${blob}&frames=${bytes / FRAME}`))).ms);
    const read = await timed(() => json(`/__bench/raw?op=read&blob=${blob}`));
    if (read.result.bytes !== bytes) throw new Error(`raw read returned ${read.result.bytes} bytes`);
    rawGetMs.push(read.ms);
    await json(`/__bench/raw?op=drop&blob=${blob}`);
    sinkMs.push((await timed(() => putStream(`${server.origin}/__bench/raw?op=sink`, bytes, rep))).ms);
    const source = await timed(() =>
      getCount(`${server.origin}/__bench/raw?op=source&frames=${bytes / FRAME}`),
    );
    if (source.result[1] !== bytes) throw new Error(`source returned ${source.result[1]} bytes`);
    sourceMs.push(source.ms);
  }
  const rate = (ms) => sizeMiB / (ms / 1000);

  log("256 MiB PUT + GET while sampling the workerd process's RSS");
  const workerd = findWorkerd(server.child.pid);
  const memory = await peakRss(workerd, async () => {
    await put(256 * MiB, 7);
    await get(256 * MiB);
  });

  // After the RSS figure, so the row-size runs' large buffers cannot change it.
  // Rates per rep, not times: the state size is not a whole number of 1.9 MiB rows.
  const rowPutRates = Object.fromEntries(ROW_SIZES.map(({ key }) => [key, []]));
  const rowGetRates = Object.fromEntries(ROW_SIZES.map(({ key }) => [key, []]));
  for (let rep = 0; rep < reps; rep++) {
    log(`rep ${rep + 1}/${reps}: raw SQL ${sizeMiB} MiB in 64 KiB, 1 MiB and 1.9 MiB rows`);
    for (const [k, { key, rowBytes }] of ROW_SIZES.entries()) {
      const rowBlob = 100 + rep * ROW_SIZES.length + k;
      const rows = Math.ceil(bytes / rowBytes);
      const rowWrite = await timed(() =>
        json(
          `/__bench/raw?op=write-rows&blob=${rowBlob}&rows=${rows}&rowBytes=${rowBytes}&perTxn=${ROWS_PER_TXN}`,
        ),
      );
      rowPutRates[key].push(rowWrite.result.bytes / MiB / (rowWrite.ms / 1000));
      const rowRead = await timed(() => json(`/__bench/raw?op=read-cursor&blob=${rowBlob}`));
      if (rowRead.result.bytes !== rowWrite.result.bytes)
        throw new Error(`raw cursor read returned ${rowRead.result.bytes} of ${rowWrite.result.bytes} bytes`);
      rowGetRates[key].push(rowRead.result.bytes / MiB / (rowRead.ms / 1000));
      await json(`/__bench/raw?op=drop&blob=${rowBlob}`);
    }
  }

  const results = {
    state_put_mib_s: rate(median(putMs)),
    state_get_mib_s: rate(median(getMs)),
    raw_sql_put_mib_s: rate(median(rawPutMs)),
    raw_sql_get_mib_s: rate(median(rawGetMs)),
  };
  results.state_put_vs_raw = results.state_put_mib_s / results.raw_sql_put_mib_s;
  results.state_get_vs_raw = results.state_get_mib_s / results.raw_sql_get_mib_s;
  results.state_256mib_rss_growth_mib = memory.peak - memory.before;
  // Context: bare HTTP through the local runtime, no DO, no SQL, no hashing.
  results.http_ingress_mib_s = rate(median(sinkMs));
  results.http_egress_mib_s = rate(median(sourceMs));
  for (const { key } of ROW_SIZES) results[`raw_sql_put_${key}_mib_s`] = median(rowPutRates[key]);
  results.raw_sql_put_best_mib_s = Math.max(
    ...ROW_SIZES.map(({ key }) => results[`raw_sql_put_${key}_mib_s`]),
  );
  for (const { key } of ROW_SIZES) results[`raw_sql_get_${key}_mib_s`] = median(rowGetRates[key]);
  results.raw_sql_get_best_mib_s = Math.max(
    ...ROW_SIZES.map(({ key }) => results[`raw_sql_get_${key}_mib_s`]),
  );
  // The stages of a PUT add up on the one workerd thread, so its limit is
  // ingress and the best raw write in series; a GET's is bare egress.
  results.state_put_ceiling_mib_s = 1 / (1 / results.http_ingress_mib_s + 1 / results.raw_sql_put_best_mib_s);
  results.state_put_vs_ceiling = results.state_put_mib_s / results.state_put_ceiling_mib_s;
  results.state_get_vs_egress = results.state_get_mib_s / results.http_egress_mib_s;

  Object.assign(results, await executionBench({ origin: server.origin, json, quick, log }));
  Object.assign(results, await storageBench({ origin: server.origin, json, quick, log }));
  Object.assign(results, await leaseBench({ origin: server.origin, json, quick, log, instanceId: id }));
  results.lease_write_vs_raw = results.lease_write_mib_s / results.raw_sql_put_mib_s;
  Object.assign(results, await meteringBench({ origin: server.origin, json, quick, log }));
  Object.assign(results, await componentBench({ origin: server.origin, json, quick, log }));
  Object.assign(results, await callBench({ origin: server.origin, json, quick, log }));
  Object.assign(results, await shmBench({ origin: server.origin, json, quick, log }));
  Object.assign(results, await subscriptionBench({ origin: server.origin, json, quick, log }));
  results.notify_latency_vs_bare_do = results.notify_latency_p50_ms / results.bare_do_p50_ms;
  Object.assign(results, await clientBench({ origin: server.origin, json, quick, log }));
  Object.assign(results, await throughputBench({ origin: server.origin, json, quick, log }));
  if (results.vfs_write_mib_s !== undefined) {
    results.vfs_write_vs_raw = results.vfs_write_mib_s / results.raw_sql_put_mib_s;
    results.vfs_read_vs_raw = results.vfs_read_mib_s / results.raw_sql_get_mib_s;
  }

  const targets = {
    state_put_vs_raw: [">=", 0.7],
    state_get_vs_raw: [">=", 0.7],
    state_256mib_rss_growth_mib: ["<", 64],
    guest_mem_streaming_64mib_bytes: ["<", 256 * 1024],
    update_small_vs_bare_do: ["<=", 2.0],
    storage_bytes_written_per_1b_change: ["<=", 69632],
    metered_vs_unmetered_validate: [">=", 0.85],
    runaway_vs_idle_side_latency: ["<=", 3],
    vfs_write_vs_raw: [">=", 0.5],
    vfs_read_vs_raw: [">=", 0.5],
    vfs_guest_mem_64mib_bytes: ["<", 1024 * 1024],
    call_round_trip_vs_bare_do: ["<=", 3],
    update_subscribers_vs_none: ["<=", 1.2],
    state_put_vs_ceiling: [">=", 0.85],
    state_get_vs_egress: [">=", 0.9],
    update_vs_get_throughput: [">=", 0.6],
  };
  const report = {
    mode: quick ? "quick" : "full",
    state_mib: sizeMiB,
    reps,
    rss_before_mib: memory.before,
    rss_peak_mib: memory.peak,
    results,
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.json", `${JSON.stringify(report, null, 2)}\n`);

  if (asJson) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`\nedge-contracts bench (${report.mode}: ${sizeMiB} MiB x ${reps}, medians)\n`);
    console.log(`${"key".padEnd(34)} ${"value".padStart(12)}  target`);
    for (const [key, value] of Object.entries(results)) {
      const target = targets[key];
      const verdict = target ? `${target[0]} ${target[1]}  ${meets(target, value) ? "ok" : "MISSED"}` : "";
      console.log(`${key.padEnd(34)} ${value.toFixed(digitsFor(key)).padStart(12)}  ${verdict}`);
    }
    console.log(`\n(workerd RSS ${memory.before.toFixed(0)} -> peak ${memory.peak.toFixed(0)} MiB)`);
  }
} finally {
  server.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
