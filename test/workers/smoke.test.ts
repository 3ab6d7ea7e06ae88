import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

it("validates wasm in workerd", () => {
  expect(WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).toBe(true);
  expect(WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1]))).toBe(false);
});

it("round trips code", async () => {
  const r = await SELF.fetch("http://x/v1/code", { method: "PUT", body: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) });
  const j = await r.json<{ codeHash: string }>();
  expect(r.status).toBe(201);
  const c = await SELF.fetch("http://x/v1/contracts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ codeHash: j.codeHash, parameters: "AQID" }) });
  const cj = await c.json<{ id: string }>();
  expect(c.status).toBe(201);
  const data = new Uint8Array(200_000).map((_, i) => i & 255);
  const p = await SELF.fetch(`http://x/v1/contracts/${cj.id}/state`, { method: "PUT", body: data });
  console.log(p.status, await p.text());
  const g = await SELF.fetch(`http://x/v1/contracts/${cj.id}/state`);
  const got = new Uint8Array(await g.arrayBuffer());
  expect(g.status).toBe(200);
  expect(got).toEqual(data);
});
