// `npm start`: the edge server on local miniflare storage (PORT, default 8787),
// with an example contract uploaded and an instance ready to call. With an
// API_TOKEN (in .dev.vars, where wrangler reads it, or in the environment) the
// seeding requests carry it, and so do the sample commands printed.
import { existsSync, readFileSync } from "node:fs";
import { startDevServer } from "./dev-server.mjs";

const port = Number(process.env.PORT ?? 8787);
// Where local storage lives (STATE_DIR; tests point it at a temporary directory).
const stateDir = process.env.STATE_DIR ?? ".wrangler/state";
const token = process.env.API_TOKEN ?? devVar("API_TOKEN");
const server = await startDevServer({
  port,
  persistTo: stateDir,
  vars: process.env.API_TOKEN ? { API_TOKEN: process.env.API_TOKEN } : {},
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.stop();
    process.exit(0);
  });
}
server.child.on("exit", (code) => process.exit(code ?? 0));

const { origin } = server;
const auth = token ? { authorization: `Bearer ${token}` } : {};
const curlAuth = token ? `-H 'authorization: Bearer ${token}' ` : "";

try {
  const code = await call("PUT", "/v1/code", readFileSync("build/contracts/counter.wasm"));
  const contract = await call(
    "POST",
    "/v1/contracts",
    JSON.stringify({ codeHash: code.codeHash, parameters: "" }),
    {
      "content-type": "application/json",
    },
  );
  const state = await fetch(`${origin}/v1/contracts/${contract.id}/state`);
  await state.body?.cancel();
  if (state.status === 404) await call("PUT", `/v1/contracts/${contract.id}/state`, new Uint8Array(8));
  console.log(`
edge-contracts is listening on ${origin} (local storage in ${stateDir})${token ? "; writes need the API_TOKEN" : ""}
example contract  counter  code ${code.codeHash}
example instance  ${contract.id}

  printf '\\005\\000\\000\\000\\000\\000\\000\\000' | curl -s ${curlAuth}--data-binary @- "${origin}/v1/contracts/${contract.id}/updates?kind=delta"
  curl -s ${origin}/v1/contracts/${contract.id}/state | od -An -tu8

More in README.md (Quick start).
`);
} catch (error) {
  console.log(`
edge-contracts is listening on ${origin}, but the example instance could not be seeded:
  ${error instanceof Error ? error.message : String(error)}
${token ? "" : "If API_TOKEN is set for the Worker (e.g. in .dev.vars), export it too: API_TOKEN=... npm start\n"}The server keeps running; see README.md (Quick start).
`);
}

/** One seeding request; a failure says which and why, never prints undefined. */
async function call(method, path, body, headers = {}) {
  const response = await fetch(`${origin}${path}`, { method, body, headers: { ...auth, ...headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** A value from .dev.vars (KEY=value lines, as wrangler reads them). */
function devVar(name) {
  if (!existsSync(".dev.vars")) return undefined;
  for (const line of readFileSync(".dev.vars", "utf8").split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] === name) return match[2]?.replace(/^(["'])(.*)\1$/, "$2");
  }
  return undefined;
}
