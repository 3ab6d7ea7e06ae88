// Component contracts (issue 12): a guest streaming a 64 MiB file through
// std::fs (journal-rs: 64 KiB buffer) against raw DO SQLite measured in the
// same run, 4 KiB files created per second, the guest's memory while it
// reads the 64 MiB file, and the first and warm run of a component.
import { existsSync } from "node:fs";
import { createBuilt, timed } from "./http-client.mjs";

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

export async function componentBench({ origin, json, quick, log }) {
  const create = (name) => createBuilt(json, name);
  const run = async (id, input) => {
    const response = await fetch(`${origin}/v1/contracts/${id}/run`, { method: "POST", body: input });
    const text = await response.text();
    if (!response.ok) throw new Error(`run ${input}: ${response.status} ${text}`);
    return { text, memory: Number(response.headers.get("x-guest-memory-bytes")) };
  };

  const results = {};
  log("components: kv-notebook first and warm runs");
  const notebook = await create("kv-notebook");
  results.component_cold_first_run_ms = (await timed(() => run(notebook, "put k v"))).ms;
  const warm = [];
  for (let i = 0; i < (quick ? 5 : 15); i++) warm.push((await timed(() => run(notebook, "get k"))).ms);
  results.component_warm_run_ms = median(warm);

  if (!existsSync("build/contracts/journal-rs.wasm")) {
    log("components: journal-rs was not built (no Debian rustc): std::fs figures skipped");
    return results;
  }
  const mib = quick ? 16 : 64;
  const reps = quick ? 1 : 3;
  log(`components: journal-rs streams a ${mib} MiB file through std::fs (${reps} reps)`);
  const writeMs = [];
  const readMs = [];
  const growth = [];
  for (let rep = 0; rep < reps; rep++) {
    const journal = await create("journal-rs");
    const baseline = (await run(journal, "stats")).memory;
    writeMs.push((await timed(() => run(journal, `bulk-write ${mib}`))).ms);
    const read = await timed(() => run(journal, "bulk-read"));
    readMs.push(read.ms);
    growth.push(read.result.memory - baseline);
  }
  results.vfs_write_mib_s = mib / (median(writeMs) / 1000);
  results.vfs_read_mib_s = mib / (median(readMs) / 1000);
  results[`vfs_guest_mem_${mib}mib_bytes`] = Math.max(...growth);

  const count = quick ? 50 : 200;
  log(`components: journal-rs creates ${count} files of 4 KiB in one run`);
  const small = await create("journal-rs");
  const smallMs = (await timed(() => run(small, `small-files ${count}`))).ms;
  results.vfs_small_file_ops_s = count / (smallMs / 1000);
  return results;
}
