// GET|HEAD|PUT /v1/contracts/:id/state: bodies stream through, never buffered.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { readSettings } from "../config.js";
import { EdgeError, unwrap } from "../errors.js";
import { parseEtagCondition } from "../http/conditional.js";
import { executionOptions, fuelHeaders } from "../http/fuel-headers.js";
import {
  binary,
  binaryRequest,
  DescribedRoutes,
  errors,
  Id,
  idParams,
  json,
  Timestamp,
  TOKEN,
} from "../http/openapi.js";
import { parseRange } from "../http/range.js";
import { contentLength } from "../http/read-bounded.js";
import { stateTooLarge } from "../store/state/state-errors.js";
import { etagOf, type VersionInfo } from "../store/state/version-info.js";
import { instanceStub } from "./instance-stub.js";
import { sizedBody } from "../http/sized-body.js";

function versionHeaders(info: VersionInfo): Record<string, string> {
  return {
    etag: etagOf(info.hash),
    "x-state-version": String(info.version),
    "accept-ranges": "bytes",
    "cache-control": "no-cache",
  };
}

const text = { schema: { type: "string" as const } };
const versionDoc = {
  etag: {
    description:
      "the state's SHA-256 (base58) in quotes; opaque (versions from before the change keep a BLAKE3)",
    ...text,
  },
  "x-state-version": { description: "the version number", ...text },
};

const getState = createRoute({
  method: "get",
  path: "/{id}/state",
  summary: "The state's bytes (HEAD: its headers)",
  request: {
    params: idParams,
    headers: z.object({
      range: z
        .string()
        .optional()
        .meta({ description: "one byte range (bytes=a-b, bytes=-n); others get the whole state" }),
      "if-none-match": z.string().optional(),
    }),
  },
  responses: {
    200: { ...binary("the state"), headers: versionDoc },
    206: { ...binary("the requested range (Content-Range)"), headers: versionDoc },
    304: { description: "not modified (If-None-Match)", headers: versionDoc },
    ...errors("INVALID_ID", "BAD_REQUEST", "CONTRACT_NOT_FOUND", "STATE_NOT_FOUND", "RANGE_NOT_SATISFIABLE"),
  },
});

const Written = z.object({
  version: z.number().int(),
  hash: Id.meta({ description: "SHA-256 of the state, base58 (older versions: BLAKE3); opaque" }),
  size: z.number().int(),
  createdAt: Timestamp,
  changed: z.boolean().meta({ description: "false: the bytes were the head's, no new version" }),
  execution: z.object({ fuel: z.number().nullable() }),
});

const putState = createRoute({
  method: "put",
  path: "/{id}/state",
  summary: "Replace the state (validated by the contract, committed atomically)",
  ...TOKEN,
  request: {
    params: idParams,
    headers: z.object({
      "content-length": z.string().meta({ description: "required: it proves the upload arrived whole" }),
      "if-match": z.string().optional(),
      "if-none-match": z.string().optional().meta({ description: "`*`: create only" }),
      "x-fuel-limit": z.string().optional(),
    }),
    ...binaryRequest("The new state, streamed into staged frames."),
  },
  responses: {
    200: { ...json(Written, "the head after the write"), headers: versionDoc },
    ...errors(
      "UNAUTHORIZED",
      "INVALID_ID",
      "BAD_REQUEST",
      "INCOMPLETE_BODY",
      "CONTRACT_NOT_FOUND",
      "LENGTH_REQUIRED",
      "PRECONDITION_FAILED",
      "PAYLOAD_TOO_LARGE",
      "CONTRACT_REJECTED",
    ),
  },
});

export const stateRoutes = new DescribedRoutes()
  .openapi(getState, async (c) => {
    const { stub } = instanceStub(c.env, c.req.param("id"));
    const ifNoneMatch = parseEtagCondition(c.req.header("if-none-match"));
    const range = parseRange(c.req.header("range"));
    const read = unwrap(
      await stub.readState({
        ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }),
        ...(range === undefined ? {} : { range }),
      }),
    );
    const headers = new Headers(versionHeaders(read.info));
    if (read.notModified) return new Response(null, { status: 304, headers });
    headers.set("content-type", "application/octet-stream");
    if (read.range) {
      const { start, end } = read.range;
      headers.set("content-range", `bytes ${start}-${end - 1}/${read.info.size}`);
      headers.set("content-length", String(end - start));
      return new Response(sizedBody(read.body, end - start), { status: 206, headers });
    }
    headers.set("content-length", String(read.info.size));
    return new Response(sizedBody(read.body, read.info.size), { status: 200, headers });
  })
  .openapi(putState, async (c) => {
    const { stub } = instanceStub(c.env, c.req.param("id"));
    const expectedLength = contentLength(c.req.header("content-length"));
    if (expectedLength === undefined) {
      // A chunked body that is cut off can look like a clean end of stream, so
      // the declared length is what proves a state arrived whole.
      throw new EdgeError("LENGTH_REQUIRED", "PUT state needs a Content-Length header");
    }
    const { maxStateBytes } = readSettings(c.env);
    if (expectedLength > maxStateBytes) throw stateTooLarge(maxStateBytes, expectedLength);
    const ifMatch = parseEtagCondition(c.req.header("if-match"));
    const ifNoneMatch = parseEtagCondition(c.req.header("if-none-match"));
    const options = executionOptions(c);
    const { fuel, ...info } = unwrap(
      await stub.putState(c.req.raw.body, {
        expectedLength,
        conditions: {
          ...(ifMatch === undefined ? {} : { ifMatch }),
          ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }),
        },
        ...options,
      }),
    );
    return c.json({ ...info, execution: { fuel } }, 200, { ...versionHeaders(info), ...fuelHeaders(fuel) });
  });
