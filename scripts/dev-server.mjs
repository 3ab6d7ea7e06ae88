// Starts `wrangler dev` on local miniflare storage and waits until it answers.
// Shared by `npm start` and the benchmarks.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { wranglerEnv } from "./wrangler-env.mjs";

const wranglerBin = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));

/**
 * @param {{ port: number, config?: string, persistTo?: string, vars?: Record<string,string>, quiet?: boolean }} options
 */
export async function startDevServer({
  port,
  config = "wrangler.toml",
  persistTo,
  vars = {},
  quiet = false,
}) {
  const args = [wranglerBin, "dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port)];
  args.push("--show-interactive-dev-session=false");
  if (persistTo) args.push("--persist-to", persistTo);
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  const child = spawn(process.execPath, args, {
    env: wranglerEnv(),
    stdio: ["ignore", quiet ? "pipe" : "inherit", quiet ? "pipe" : "inherit"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (data) => (output += data));
  child.stderr?.on("data", (data) => (output += data));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${origin}/`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop(child);
      throw new Error(`wrangler dev did not answer on ${origin} within 120 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { origin, child, stop: () => stop(child) };
}

function stop(child) {
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}
