// POST /v1/contracts, GET /v1/contracts/:id
import { createRoute } from "@hono/zod-openapi";
import { base64 } from "@scure/base";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { CodeStore } from "../code/code-store.js";
import { EdgeError, unwrap } from "../errors.js";
import { newHasher } from "../hashing/blake3-module.js";
import { jsonBody } from "../http/json-body.js";
import {
  DescribedRoutes,
  errors,
  Id,
  idParams,
  json,
  jsonRequest,
  Timestamp,
  TOKEN,
} from "../http/openapi.js";
import { tooLarge } from "../http/read-bounded.js";
import { encodeId, instanceIdOf, parseId } from "../identity/ids.js";
import { MAX_JSON_BODY_BYTES, MAX_PARAMETERS_BYTES } from "../limits.js";
import { instanceStub } from "./instance-stub.js";

const createContract = z.object({
  codeHash: z.string().meta({ description: "the uploaded code's hash (base58)" }),
  parameters: z.string().default("").meta({ description: "the instance's parameters, standard base64" }),
});

const Created = z.object({ id: Id, codeHash: Id });
const location = { location: { description: "/v1/contracts/{id}", schema: { type: "string" as const } } };

const postContract = createRoute({
  method: "post",
  path: "/",
  summary: "Create (or find) the instance of a code hash with parameters",
  ...TOKEN,
  // Refused on its length before a byte is parsed.
  middleware: bodyLimit({
    maxSize: MAX_JSON_BODY_BYTES,
    onError: () => {
      throw tooLarge("request body", MAX_JSON_BODY_BYTES);
    },
  }),
  request: jsonRequest(createContract, "The code hash and the parameters."),
  responses: {
    200: { ...json(Created, "the instance exists"), headers: location },
    201: { ...json(Created, "created"), headers: location },
    ...errors(
      "UNAUTHORIZED",
      "BAD_REQUEST",
      "INVALID_ID",
      "CODE_NOT_FOUND",
      "PAYLOAD_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
    ),
  },
});

const Instance = z.object({
  id: Id,
  codeHash: Id,
  parameters: z.string().meta({ description: "base64" }),
  createdAt: Timestamp,
  namespaces: z
    .array(z.string())
    .nullable()
    .meta({ description: "the host namespaces its code imports (null: created before they were recorded)" }),
  reentrant: z.boolean(),
});

const getContract = createRoute({
  method: "get",
  path: "/{id}",
  summary: "An instance's record",
  request: { params: idParams },
  responses: { 200: json(Instance, "the instance"), ...errors("INVALID_ID", "CONTRACT_NOT_FOUND") },
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

export const contractRoutes = new DescribedRoutes()
  .openapi(postContract, async (c) => {
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
  })
  .openapi(getContract, async (c) => {
    const { stub } = instanceStub(c.env, c.req.param("id"));
    const record = unwrap(await stub.describe());
    return c.json(
      {
        id: record.id,
        codeHash: record.codeHash,
        parameters: base64.encode(record.parameters),
        createdAt: record.createdAt,
        // The host namespaces its code imports: the only ones a call gets ports for.
        namespaces: record.namespaces,
        // Whether a contract call may enter it while one of its own frames is on the call stack.
        reentrant: record.reentrant,
      },
      200,
    );
  });
