// PUT /v1/code, GET /v1/code/:codeHash
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { CodeStore } from "../code/code-store.js";
import { readSettings } from "../config.js";
import type { Env } from "../env.js";
import { newHasher } from "../hashing/blake3-module.js";
import { binary, binaryRequest, DescribedRoutes, errors, Id, json, TOKEN } from "../http/openapi.js";
import { contentLength, tooLarge } from "../http/read-bounded.js";
import { encodeId, parseId } from "../identity/ids.js";
import { MAX_CODE_BYTES } from "../limits.js";

const codeStore = (env: Env) => new CodeStore(env.CODE, newHasher);

const Stored = z.object({ codeHash: Id, size: z.number().int() });
const location = { location: { description: "/v1/code/{codeHash}", schema: { type: "string" as const } } };

const putCode = createRoute({
  method: "put",
  path: "/",
  summary: "Upload a wasm module or component",
  ...TOKEN,
  request: binaryRequest(`A wasm module or component, at most ${MAX_CODE_BYTES} bytes.`),
  responses: {
    200: { ...json(Stored, "already stored"), headers: location },
    201: { ...json(Stored, "stored"), headers: location },
    ...errors(
      "UNAUTHORIZED",
      "NOT_WASM",
      "INVALID_WASM",
      "EMPTY_BODY",
      "INCOMPLETE_BODY",
      "PAYLOAD_TOO_LARGE",
      "CONTRACT_ABI",
      "WASM_FEATURE_UNSUPPORTED",
      "COMPONENT_INVALID",
    ),
  },
});

const getCode = createRoute({
  method: "get",
  path: "/{codeHash}",
  summary: "The uploaded wasm (immutable, ETag)",
  request: { params: z.object({ codeHash: Id }) },
  responses: {
    200: {
      description: "the wasm bytes",
      content: { "application/wasm": binary("").content["application/octet-stream"] },
      headers: { etag: { description: "the code hash in quotes", schema: { type: "string" as const } } },
    },
    ...errors("INVALID_ID", "CODE_NOT_FOUND"),
  },
});

export const codeRoutes = new DescribedRoutes()
  .openapi(putCode, async (c) => {
    const declared = contentLength(c.req.header("content-length"));
    if (declared !== undefined && declared > MAX_CODE_BYTES) throw tooLarge("contract code", MAX_CODE_BYTES);
    const stored = await codeStore(c.env).upload(c.req.raw.body, readSettings(c.env).guestMemoryBytes);
    return c.json({ codeHash: stored.codeHash, size: stored.size }, stored.created ? 201 : 200, {
      location: `/v1/code/${stored.codeHash}`,
    });
  })
  .openapi(getCode, async (c) => {
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
