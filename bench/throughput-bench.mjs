// Small updates under load (issue 16): 16 concurrent clients send counter
// deltas to 200 instances (and then to one), against state GETs of the same
// instances on the same server. Every counter is read back at the end and must
// equal the updates that were answered 200 for it.
import http from "node:http";
import { readFileSync } from "node:fs";

const CLIENTS = 16;
const INSTANCES = 200;

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

/** One request on `agent`; resolves to { status, body } (the whole body: these are small). */
function send(agent, url, method, body) {
  return new Promise((resolve, reject) => {
    const headers = body ? { "content-type": "application/octet-stream", "content-length": body.length } : {};
    const request = http.request(url, { agent, method, headers }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** Runs `fn` over `items` with at most `width` in flight. */
async function pool(width, items, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index], index);
      }
    }),
  );
}

export async function throughputBench({ origin, json, quick, log }) {
  const seconds = quick ? 3 : 10;
  // node:http with one keep-alive agent of one socket per client: each client
  // is one persistent connection with one request in flight, as 16 real
  // clients would be, and no connection setup is timed. node:http rather than
  // undici/fetch because the other benches' helpers use it and it is the
  // cheaper client here (issue 16 measured fetch well below node:http), so the
  // client's own cost on this 2-core machine stays small.
  const agents = Array.from({ length: CLIENTS }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const setup = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const zero = Buffer.alloc(8);
  const one = Buffer.alloc(8);
  one.writeBigUInt64LE(1n);

  log(`throughput: creating ${INSTANCES + 1} counter instances (not timed)`);
  const { codeHash } = await json("/v1/code", {
    method: "PUT",
    body: readFileSync("build/contracts/counter.wasm"),
  });
  const ids = Array.from({ length: INSTANCES + 1 });
  await pool(CLIENTS, ids, async (_, index) => {
    const { id } = await json("/v1/contracts", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        codeHash,
        parameters: Buffer.from(`bench-throughput-${Date.now()}-${index}`).toString("base64"),
      }),
    });
    // A stored zero state, as execution-bench's counter starts from, so every
    // instance's DO and the sandbox have run once before the timed part.
    const put = await send(setup, `${origin}/v1/contracts/${id}/state`, "PUT", zero);
    if (put.status !== 200) throw new Error(`PUT counter state: ${put.status} ${put.body}`);
    ids[index] = id;
  });
  const spread = ids.slice(0, INSTANCES);
  const single = ids[INSTANCES];

  /** Every client loops `op` on a random instance of `targets` until the deadline. */
  const drive = async (label, targets, op) => {
    const successes = new Map(targets.map((id) => [id, 0]));
    const latencies = [];
    const failures = [];
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      agents.map(async (agent) => {
        while (performance.now() < deadline) {
          const id = targets[Math.floor(Math.random() * targets.length)];
          const sent = performance.now();
          try {
            const { status, body } = await op(agent, id);
            if (status === 200) {
              latencies.push(performance.now() - sent);
              successes.set(id, successes.get(id) + 1);
            } else failures.push(`${status} ${body.toString().slice(0, 200)}`);
          } catch (error) {
            failures.push(String(error));
          }
        }
      }),
    );
    // Divided by the time until the last answer, not the nominal duration:
    // requests in flight at the deadline are counted, so their time is too.
    const elapsed = (performance.now() - started) / 1000;
    const ok = latencies.length;
    log(
      `throughput: ${label}: ${ok} ok, ${failures.length} errors in ${elapsed.toFixed(1)} s` +
        (failures.length ? ` (first: ${failures[0]})` : ""),
    );
    return { perS: ok / elapsed, p50: median(latencies), errors: failures.length, successes };
  };

  const update = (agent, id) => send(agent, `${origin}/v1/contracts/${id}/updates?kind=delta`, "POST", one);
  const get = (agent, id) => send(agent, `${origin}/v1/contracts/${id}/state`, "GET");

  /** Throws unless each counter's state equals the updates answered 200 for it. */
  const checkExact = async (successes) => {
    const wrong = [];
    await pool(CLIENTS, [...successes], async ([id, expected]) => {
      const { status, body } = await send(setup, `${origin}/v1/contracts/${id}/state`, "GET");
      if (status !== 200) throw new Error(`GET counter state: ${status} ${body}`);
      const value = body.length === 0 ? 0n : body.readBigUInt64LE();
      if (body.length !== 0 && body.length !== 8) wrong.push(`${id}: a ${body.length}-byte state`);
      else if (value !== BigInt(expected))
        wrong.push(`${id}: state ${value}, ${expected} updates answered 200`);
    });
    if (wrong.length) {
      throw new Error(
        `throughput: ${wrong.length} counters are not exact:\n  ${wrong.slice(0, 10).join("\n  ")}`,
      );
    }
  };

  log(`throughput: ${CLIENTS} clients, counter updates over ${INSTANCES} instances for ${seconds} s`);
  const updates = await drive("updates, 200 instances", spread, update);
  await checkExact(updates.successes);

  log(`throughput: ${CLIENTS} clients, state GETs over the same instances for ${seconds} s`);
  // Failed GETs are logged by drive and left out of the rate.
  const gets = await drive("state GETs, 200 instances", spread, get);

  log(`throughput: ${CLIENTS} clients, counter updates on one instance for ${seconds} s`);
  const oneInstance = await drive("updates, one instance", [single], update);
  await checkExact(oneInstance.successes);

  for (const agent of [...agents, setup]) agent.destroy();
  return {
    update_throughput_per_s: updates.perS,
    get_throughput_per_s: gets.perS,
    update_throughput_errors: updates.errors,
    update_throughput_p50_ms: updates.p50,
    update_vs_get_throughput: updates.perS / gets.perS,
    update_one_instance_per_s: oneInstance.perS,
  };
}
