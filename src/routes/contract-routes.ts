// POST /v1/contracts, GET /v1/contracts/:id
import { base64 } from "@scure/base";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { CodeStore } from "../code/code-store.js";
import type { Env } from "../env.js";
import { EdgeError, unwrap } from "../errors.js";
import { newHasher } from "../hashing/blake3-module.js";
import { jsonBody } from "../http/json-body.js";
import { tooLarge } from "../http/read-bounded.js";
import { encodeId, instanceIdOf, parseId } from "../identity/ids.js";
import { MAX_JSON_BODY_BYTES, MAX_PARAMETERS_BYTES } from "../limits.js";
import { instanceStub } from "./instance-stub.js";

export const contractRoutes = new Hono<{ Bindings: Env }>();

const createContract = z.object({
  codeHash: z.string(),
  parameters: z.string().default(""),
});

function decodeParameters(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base64.decode(text);
  } catch (cause) {
    throw new EdgeError("BAD_REQUEST", "parameters must be standard base64 (with padding)", { cause });
  }
  if (bytes.length > MAX_PARAMETERS_BYTES) throw tooLarge("parameters", MAX_PARAMETERS_BYTES);
  return bytes;
}

contractRoutes.post(
  "/",
  bodyLimit({
    maxSize: MAX_JSON_BODY_BYTES,
    onError: () => {
      throw tooLarge("request body", MAX_JSON_BODY_BYTES);
    },
  }),
  async (c) => {
    const body = await jsonBody(c.req, createContract, "{ codeHash: string, parameters?: base64 }");
    const codeHashBytes = parseId(body.codeHash, "codeHash");
    const codeHash = encodeId(codeHashBytes);
    const parameters = decodeParameters(body.parameters);
    const { namespaces, reentrant } = await new CodeStore(c.env.CODE, newHasher).traits(codeHash);
    const id = encodeId(instanceIdOf(newHasher, codeHashBytes, parameters));
    const { stub } = instanceStub(c.env, id);
    const { created } = unwrap(
      await stub.create({ id, codeHash, parameters, createdAt: Date.now(), namespaces, reentrant }),
    );
    return c.json({ id, codeHash }, created ? 201 : 200, { location: `/v1/contracts/${id}` });
  },
);

contractRoutes.get("/:id", async (c) => {
  const { stub } = instanceStub(c.env, c.req.param("id"));
  const record = unwrap(await stub.describe());
  return c.json({
    id: record.id,
    codeHash: record.codeHash,
    parameters: base64.encode(record.parameters),
    createdAt: record.createdAt,
    // The host namespaces its code imports: the only ones a call gets ports for.
    namespaces: record.namespaces,
    // Whether a contract call may enter it while one of its own frames is on the call stack.
    reentrant: record.reentrant,
  });
});
