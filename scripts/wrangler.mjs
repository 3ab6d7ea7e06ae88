// `wrangler <args>` with the offline environment (used by npm run deploy / build:dry).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { wranglerEnv } from "./wrangler-env.mjs";

const wranglerBin = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));
const child = spawn(process.execPath, [wranglerBin, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: wranglerEnv(),
});
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
