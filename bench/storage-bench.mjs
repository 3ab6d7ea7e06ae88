// Linear-storage figures (issue 4): bytes written for a one-byte change in a
// 64 MiB mapped region, against what a naive whole-mapping write-back writes;
// hash-map puts per second with 1 KiB values.
import { existsSync, readFileSync } from "node:fs";
import { createInstance, timed } from "./http-client.mjs";

const MiB = 1024 * 1024;

export async function storageBench({ origin, json, quick, log }) {
  const create = (name) =>
    createInstance(json, readFileSync(`build/contracts/${name}.wasm`), `bench-${name}-${Date.now()}`);
  const run = async (id, body) => {
    const response = await fetch(`${origin}/v1/contracts/${id}/run`, { method: "POST", body });
    if (!response.ok) throw new Error(`run: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    return Number(response.headers.get("x-storage-bytes-written"));
  };

  log("storage: one-byte changes in a 64 MiB mapped region");
  const mapper = await create("storage-mapper");
  const change = (offset, value) => {
    const input = Buffer.alloc(5);
    input.writeUInt32LE(offset);
    input[4] = value;
    return input;
  };
  await run(mapper, change(100, 1)); // first write also records the logical size
  const written = await run(mapper, change(100, 2));

  const results = {
    storage_bytes_written_per_1b_change: written,
    storage_full_rewrite_bytes: 64 * MiB,
  };

  if (existsSync("build/contracts/hash-map.wasm")) {
    log("storage: hash-map puts with 1 KiB values");
    const map = await create("hash-map");
    const batch = quick ? 50 : 100;
    const batches = quick ? 4 : 10;
    let puts = 0;
    const { ms } = await timed(async () => {
      for (let b = 0; b < batches; b++) {
        const commands = [];
        for (let i = 0; i < batch; i++) {
          const key = Buffer.from(`key-${b}-${i}`);
          const value = Buffer.alloc(1024, (b + i) & 255);
          const header = Buffer.alloc(2);
          header[0] = 1;
          header[1] = key.length;
          const length = Buffer.alloc(2);
          length.writeUInt16LE(value.length);
          commands.push(header, key, length, value);
        }
        await run(map, Buffer.concat(commands));
        puts += batch;
      }
    });
    results.storage_random_put_ops_s = puts / (ms / 1000);
  }
  return results;
}
