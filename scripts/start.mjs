// `npm start`: the edge server on local miniflare storage (PORT, default 8787),
// with an example contract uploaded and an instance ready to call.
import { readFileSync } from "node:fs";
import { startDevServer } from "./dev-server.mjs";

const port = Number(process.env.PORT ?? 8787);
const server = await startDevServer({ port, persistTo: ".wrangler/state" });
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.stop();
    process.exit(0);
  });
}
server.child.on("exit", (code) => process.exit(code ?? 0));

const { origin } = server;
const wasm = readFileSync("build/contracts/counter.wasm");
const code = await (await fetch(`${origin}/v1/code`, { method: "PUT", body: wasm })).json();
const contract = await (
  await fetch(`${origin}/v1/contracts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ codeHash: code.codeHash, parameters: "" }),
  })
).json();
const state = await fetch(`${origin}/v1/contracts/${contract.id}/state`);
if (state.status === 404) {
  await fetch(`${origin}/v1/contracts/${contract.id}/state`, { method: "PUT", body: new Uint8Array(8) });
} else {
  await state.body?.cancel();
}

console.log(`
edge-contracts is listening on ${origin} (local storage in .wrangler/state)
example contract  counter  code ${code.codeHash}
example instance  ${contract.id}

  printf '\\005\\000\\000\\000\\000\\000\\000\\000' | curl -s --data-binary @- "${origin}/v1/contracts/${contract.id}/updates?kind=delta"
  curl -s ${origin}/v1/contracts/${contract.id}/state | od -An -tu8

More in README.md (Quick start).
`);
