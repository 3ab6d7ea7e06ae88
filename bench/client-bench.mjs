// The typed client's state upload (through the CLI, `state put`) against
// curl's, the same file to the same server in the same run (issue 15's
// client_put_vs_curl): the client streams with Content-Length as curl does.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createBuilt } from "./http-client.mjs";

const run = promisify(execFile);
const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

export async function clientBench({ origin, json, quick, log }) {
  const mib = quick ? 16 : 64;
  log(`client: ${mib} MiB state put, the CLI (typed client) vs curl`);
  const dir = mkdtempSync(join(tmpdir(), "edge-client-bench-"));
  try {
    const file = join(dir, "state.bin");
    writeFileSync(file, Buffer.alloc(mib * 1024 * 1024, 7));
    const id = await createBuilt(json, "accept-all");
    const reps = quick ? 3 : 5;
    const cli = [];
    const curl = [];
    for (let i = 0; i < reps; i++) {
      let started = performance.now();
      await run(process.execPath, [
        "bin/edge-contracts.mjs",
        "--url",
        origin,
        "--json",
        "state",
        "put",
        id,
        file,
      ]);
      cli.push(performance.now() - started);
      started = performance.now();
      await run("curl", [
        "-sf",
        "-o",
        "/dev/null",
        "-X",
        "PUT",
        "-T",
        file,
        `${origin}/v1/contracts/${id}/state`,
      ]);
      curl.push(performance.now() - started);
    }
    const rate = (ms) => mib / (ms / 1000);
    return {
      client_put_mib_s: rate(median(cli)),
      curl_put_mib_s: rate(median(curl)),
      client_put_vs_curl: rate(median(cli)) / rate(median(curl)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
