// Live subscriptions (issue 15): commit answer to the subscriber's message
// (one socket), one update to 1000 sockets, and the writer's update latency
// with 1000 sockets attached against none. Sockets acknowledge (cumulatively,
// every 8th message, as the client does; README "Subscriptions").
import { Worker } from "node:worker_threads";
import { createBuilt, timed } from "./http-client.mjs";

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
const entry = (text) => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length);
  return Buffer.concat([head, body]);
};

/** A subscriber: resolves `opened` once it has its first message; calls `onVersion` per header. */
function subscribe(origin, id, onVersion) {
  const socket = new WebSocket(`${origin.replace(/^http/, "ws")}/v1/contracts/${id}/subscribe`);
  socket.binaryType = "arraybuffer";
  const opened = new Promise((resolve, reject) => {
    socket.addEventListener("error", () => reject(new Error("subscribe failed")), { once: true });
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") return;
      const header = JSON.parse(event.data);
      socket.send(JSON.stringify({ type: "ack", seq: header.seq }));
      resolve();
      onVersion(header.version, performance.now());
    });
  });
  return { socket, opened };
}

export async function subscriptionBench({ origin, json, quick, log }) {
  const create = async () => {
    const id = await createBuilt(json, "append-log");
    await json(`/v1/contracts/${id}/state`, { method: "PUT", body: entry("first") });
    return id;
  };
  const update = (id, i) =>
    json(`/v1/contracts/${id}/updates?kind=delta`, { method: "POST", body: entry(`e${i}`) });
  const rounds = quick ? 10 : 40;

  log("subscriptions: commit answer to the subscriber's message, one socket");
  const one = await create();
  let version = 0;
  let arrived = 0;
  let waiting = null;
  const single = subscribe(origin, one, (v, at) => {
    version = v;
    arrived = at;
    waiting?.();
  });
  await single.opened;
  const latency = [];
  for (let i = 0; i < rounds; i++) {
    const response = await fetch(`${origin}/v1/contracts/${one}/updates?kind=delta`, {
      method: "POST",
      body: entry(`e${i}`),
    });
    // The writer has its answer when its headers arrive; the body is the version it committed.
    const answeredAt = performance.now();
    const answer = await response.json();
    while (version < answer.version) await new Promise((resolve) => (waiting = resolve));
    // Negative when the notification beat the answer to the client.
    latency.push(arrived - answeredAt);
  }
  single.socket.close();

  const many = quick ? 200 : 1000;
  log(`subscriptions: one update to ${many} sockets, and the writer's latency with them vs without`);
  const target = await create();
  // The writer's latency wanders by tens of ms between runs here: the baseline is taken
  // before the sockets attach and again after they leave, with more rounds than the rest.
  const writerRounds = quick ? 30 : 60;
  const alone = [];
  let next = 0;
  const writeAlone = async () => {
    for (let i = 0; i < writerRounds; i++) alone.push((await timed(() => update(target, next++))).ms);
  };
  await writeAlone();
  // The sockets live in worker threads, so reading them does not stall the writer timed here.
  const threads = 4;
  const reached = Array.from({ length: threads }, () => ({ version: 0, at: 0 }));
  let notify = null;
  const workers = await Promise.all(
    Array.from({ length: threads }, (_, index) => {
      const worker = new Worker(new URL("./subscriber-worker.mjs", import.meta.url), {
        workerData: { origin, id: target, count: many / threads },
      });
      return new Promise((resolve, reject) => {
        worker.on("error", reject);
        worker.on("message", (message) => {
          if (message.type === "opened") resolve(worker);
          else {
            reached[index] = message;
            notify?.();
          }
        });
      });
    }),
  );
  const fanout = [];
  const withThem = [];
  for (let i = 0; i < writerRounds; i++) {
    const started = performance.timeOrigin + performance.now();
    const answer = await update(target, next++);
    withThem.push(performance.timeOrigin + performance.now() - started);
    while (reached.some((r) => r.version < answer.version))
      await new Promise((resolve) => (notify = resolve));
    fanout.push(Math.max(...reached.map((r) => r.at)) - started);
  }
  await Promise.all(
    workers.map((worker) => {
      worker.postMessage("close");
      return new Promise((resolve) => {
        worker.once("exit", resolve);
        setTimeout(resolve, 3000);
      });
    }),
  );
  // Let the server see the closes before the second baseline.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await writeAlone();

  const key = `fanout_${many}_subscribers_ms`;
  return {
    notify_latency_p50_ms: median(latency),
    [key]: median(fanout),
    update_with_subscribers_p50_ms: median(withThem),
    update_without_subscribers_p50_ms: median(alone),
    update_subscribers_vs_none: median(withThem) / median(alone),
  };
}
