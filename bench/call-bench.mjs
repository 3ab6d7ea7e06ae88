// Contract-to-contract calls (issue 13): a run that calls another instance
// against one that does not, a three-instance transaction, and transfers
// between two instances with 20 in flight at once (committed per second).
import { base58 } from "@scure/base";
import { createBuilt, timed } from "./http-client.mjs";

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

// The call probe's script ops (contracts/examples/transfer/assembly/probe/call-probe.ts).
const u32 = (value) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
};
const write = (offset, text) => {
  const bytes = Buffer.from(text);
  const length = Buffer.alloc(2);
  length.writeUInt16LE(bytes.length);
  return Buffer.concat([Buffer.from([0x04]), u32(offset), length, bytes]);
};
const call = (id, input) =>
  Buffer.concat([Buffer.from([0x06]), Buffer.from(base58.decode(id)), u32(input.length), input]);
const u64 = (value) => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return bytes;
};

export async function callBench({ origin, json, quick, log }) {
  const create = (name) => createBuilt(json, name);
  const run = async (id, body) => {
    const response = await fetch(`${origin}/v1/contracts/${id}/run`, { method: "POST", body });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, bytes };
  };
  const runOk = async (id, body) => {
    const answer = await run(id, body);
    if (answer.status !== 200) throw new Error(`run: ${answer.status} ${answer.bytes.toString()}`);
    return answer;
  };
  const rounds = quick ? 15 : 60;

  log("calls: A's run calling B (B returns) vs A's run alone vs bare DO round trips");
  const [a, b, c] = [await create("call-probe"), await create("call-probe"), await create("call-probe")];
  const alone = write(0, "a");
  const calling = Buffer.concat([write(0, "a"), call(b, Buffer.alloc(0))]);
  await runOk(a, calling);
  const aloneMs = [];
  const callingMs = [];
  const bareMs = [];
  for (let i = 0; i < rounds; i++) {
    aloneMs.push((await timed(() => runOk(a, alone))).ms);
    callingMs.push((await timed(() => runOk(a, calling))).ms);
    bareMs.push((await timed(() => json("/__bench/raw?op=ping"))).ms);
  }

  log("calls: A -> B -> C, each writing its storage, one transaction");
  const tree = Buffer.concat([
    write(0, "a"),
    call(b, Buffer.concat([write(0, "b"), call(c, write(0, "c"))])),
  ]);
  const treeMs = [];
  for (let i = 0; i < rounds; i++) treeMs.push((await timed(() => runOk(a, tree))).ms);

  const waves = quick ? 3 : 10;
  log(`calls: transfers between two instances, 20 at a time, ${waves} waves`);
  const [x, y] = [await create("transfer"), await create("transfer")];
  for (const who of [x, y]) await runOk(who, Buffer.concat([Buffer.from([1]), u64(1_000_000n)]));
  let committed = 0;
  let conflicts = 0;
  const started = performance.now();
  for (let wave = 0; wave < waves; wave++) {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const [from, to] = i % 2 === 0 ? [x, y] : [y, x];
        return run(from, Buffer.concat([Buffer.from([2]), Buffer.from(base58.decode(to)), u64(1n)]));
      }),
    );
    for (const answer of answers) {
      if (answer.status === 200) committed++;
      else if (answer.status === 409 || answer.bytes.toString().includes("CONFLICT")) conflicts++;
      else throw new Error(`transfer: ${answer.status} ${answer.bytes.toString()}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const balance = async (id) => (await runOk(id, Buffer.from([3]))).bytes.readBigUInt64LE(0);
  const total = (await balance(x)) + (await balance(y));
  if (total !== 2_000_000n) throw new Error(`transfers created or lost money: ${total}`);

  const callRoundTrip = median(callingMs);
  const bare = median(bareMs);
  return {
    call_round_trip_p50_ms: callRoundTrip,
    run_without_call_p50_ms: median(aloneMs),
    call_round_trip_vs_bare_do: callRoundTrip / bare,
    txn_3_instances_commit_ms: median(treeMs),
    transfer_txn_ops_s: committed / seconds,
    transfer_conflict_ratio: conflicts / (committed + conflicts),
  };
}
