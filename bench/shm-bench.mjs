// Memory blocks and pub-sub (issue 14): attach+detach of a 64 KiB block, a
// 1 MiB block through attach/detach against a plain copy in the same sandbox,
// and a publish fanned out to 10 subscriber instances. Each guest loop runs
// N times in one run; a run of 0 iterations is the baseline subtracted, so
// HTTP, DO and instantiation drop out of the per-iteration figures.
import { createBuilt, timed } from "./http-client.mjs";

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
const u32s = (...values) =>
  Buffer.concat(
    values.map((value) => {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32LE(value);
      return bytes;
    }),
  );

export async function shmBench({ origin, json, quick, log }) {
  const runOk = async (id, body) => {
    const response = await fetch(`${origin}/v1/contracts/${id}/run`, { method: "POST", body });
    const bytes = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200) throw new Error(`run: ${response.status} ${bytes.toString()}`);
    return bytes;
  };
  const reps = quick ? 3 : 7;
  const bench = await createBuilt(json, "shm-bench");
  /** Guest time per iteration (ms): the median run of `n` iterations less the median run of none. */
  const perIteration = async (mode, size, n) => {
    await runOk(bench, u32s(mode, size, n));
    const full = [];
    const none = [];
    for (let i = 0; i < reps; i++) {
      full.push((await timed(() => runOk(bench, u32s(mode, size, n)))).ms);
      none.push((await timed(() => runOk(bench, u32s(mode, size, 0)))).ms);
    }
    return Math.max(median(full) - median(none), 0) / n;
  };

  log("shm: attach(write) + detach of a 64 KiB block");
  const small = await perIteration(0, 64 * 1024, quick ? 500 : 2000);
  log("shm: 1 MiB through attach/detach vs one memory.copy of 1 MiB");
  const viaBlock = await perIteration(0, 1024 * 1024, quick ? 32 : 128);
  const viaCopy = await perIteration(1, 1024 * 1024, quick ? 32 : 128);

  log("shm: a publish fanned out to 10 subscriber instances");
  const feed = await createBuilt(json, "shm-publisher");
  const subscribers = [];
  for (let i = 0; i < 10; i++) subscribers.push(await createBuilt(json, "shm-subscriber"));
  const alone = await createBuilt(json, "shm-publisher");
  for (const subscriber of subscribers) {
    await json(`/v1/contracts/${feed}/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ subscriber }),
    });
  }
  const one = u32s(1, 1, 256);
  const fanoutMs = [];
  const aloneMs = [];
  // Each subscriber's inbox holds 64 entries of a feed: stay under it.
  for (let i = 0; i < (quick ? 10 : 40); i++) {
    fanoutMs.push((await timed(() => runOk(feed, one))).ms);
    aloneMs.push((await timed(() => runOk(alone, one))).ms);
  }
  const listed = await json(`/v1/contracts/${feed}/subscriptions`);
  const behind = listed.subscriptions.filter((row) => row.pending !== 0 || row.state !== "active");
  if (behind.length > 0) throw new Error(`fan-out left subscribers behind: ${JSON.stringify(behind)}`);

  return {
    block_attach_detach_64kib_us: small * 1000,
    block_transfer_1mib_us: viaBlock * 1000,
    memcpy_1mib_us: viaCopy * 1000,
    block_transfer_1mib_vs_memcpy: viaBlock / viaCopy,
    publish_fanout_10_subscribers_ms: median(fanoutMs),
    publish_no_subscribers_ms: median(aloneMs),
  };
}
