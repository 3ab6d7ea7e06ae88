// PUT /v1/code, GET /v1/code/:codeHash
import { Hono } from "hono";
import { CodeStore } from "../code/code-store.js";
import { readSettings } from "../config.js";
import type { Env } from "../env.js";
import { newHasher } from "../hashing/blake3-module.js";
import { contentLength, tooLarge } from "../http/read-bounded.js";
import { encodeId, parseId } from "../identity/ids.js";
import { MAX_CODE_BYTES } from "../limits.js";

export const codeRoutes = new Hono<{ Bindings: Env }>();

const codeStore = (env: Env) => new CodeStore(env.CODE, newHasher);

codeRoutes.put("/", async (c) => {
  const declared = contentLength(c.req.header("content-length"));
  if (declared !== undefined && declared > MAX_CODE_BYTES) throw tooLarge("contract code", MAX_CODE_BYTES);
  const stored = await codeStore(c.env).upload(c.req.raw.body, readSettings(c.env).guestMemoryBytes);
  return c.json({ codeHash: stored.codeHash, size: stored.size }, stored.created ? 201 : 200, {
    location: `/v1/code/${stored.codeHash}`,
  });
});

codeRoutes.get("/:codeHash", async (c) => {
  const codeHash = encodeId(parseId(c.req.param("codeHash"), "codeHash"));
  const object = await codeStore(c.env).get(codeHash);
  return new Response(object.body, {
    headers: {
      "content-type": "application/wasm",
      "content-length": String(object.size),
      etag: `"${codeHash}"`,
      "cache-control": "public, max-age=31536000, immutable",
    },
  });
});
