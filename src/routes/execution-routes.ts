// Routes that run the contract: updates, summary, delta, validate.
import { createRoute } from "@hono/zod-openapi";
import { base64 } from "@scure/base";
import { z } from "zod";
import type { ContractBytes, RunAnswer } from "../protocol/instance-rpc.js";
import { EdgeError, unwrap, type Outcome } from "../errors.js";
import { parseEtagCondition } from "../http/conditional.js";
import { executionOptions, fuelHeaders } from "../http/fuel-headers.js";
import { FAULT_HEADER, faultOf } from "../http/fault-header.js";
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
import { readRequestBounded } from "../http/read-bounded.js";
import { MAX_UPDATE_BYTES } from "../limits.js";
import { etagOf } from "../store/state/version-info.js";
import { instanceStub } from "./instance-stub.js";
import { sizedBody } from "../http/sized-body.js";

function bytesResponse(result: ContractBytes): Response {
  const headers = new Headers({
    "content-type": "application/octet-stream",
    "content-length": String(result.size),
    "x-state-version": String(result.info.version),
    "x-state-etag": etagOf(result.info.hash),
    "cache-control": "no-cache",
    "x-contract-pages": result.stats.pages,
    ...fuelHeaders(result.stats.fuel),
  });
  return new Response(sizedBody(result.body, result.size), { status: 200, headers });
}

// What every metered call may refuse with (README "Fuel", "Limits").
const EXECUTION_ERRORS = [
  "UNAUTHORIZED",
  "INVALID_ID",
  "BAD_REQUEST",
  "CONTRACT_NOT_FOUND",
  "STATE_NOT_FOUND",
  "CONTRACT_TRAP",
  "CONTRACT_OUT_OF_FUEL",
  "MEMORY_LIMIT",
  "CPU_LIMIT",
  "CONTRACT_DEADLINE",
  "SANDBOX_FAILED",
] as const;

const text = { schema: { type: "string" as const } };
const fuelDoc = { "x-contract-fuel": { description: "fuel the request used", ...text } };
const fuelLimit = z.object({ "x-fuel-limit": z.string().optional().meta({ description: "a lower budget" }) });
const bytesDoc = {
  ...fuelDoc,
  "x-state-version": { description: "the state version it ran on", ...text },
  "x-state-etag": { description: "that version's ETag", ...text },
};

const Execution = z.object({
  pages: z.enum(["jspi", "prefetch"]),
  baselineBytes: z.number(),
  guestMemoryBytes: z.number(),
  isolateCalls: z.number(),
  fuel: z.number().nullable(),
});

const Updated = z.object({
  version: z.number().int(),
  hash: Id,
  size: z.number().int(),
  createdAt: Timestamp,
  changed: z.boolean(),
  execution: z.object({ fuel: z.number().nullable() }),
});

const postUpdates = createRoute({
  method: "post",
  path: "/{id}/updates",
  summary: "Run update_state with the body as a Delta or a State",
  ...TOKEN,
  request: {
    params: idParams,
    query: z.object({ kind: z.enum(["delta", "state"]).optional().meta({ description: "default delta" }) }),
    headers: fuelLimit.extend({ "if-match": z.string().optional() }),
    ...binaryRequest(`The update data, at most ${MAX_UPDATE_BYTES} bytes.`),
  },
  responses: {
    200: { ...json(Updated, "the head after the update"), headers: fuelDoc },
    ...errors(
      ...EXECUTION_ERRORS,
      "INCOMPLETE_BODY",
      "PAYLOAD_TOO_LARGE",
      "PRECONDITION_FAILED",
      "CONTRACT_REJECTED",
    ),
  },
});

const getSummary = createRoute({
  method: "get",
  path: "/{id}/summary",
  summary: "The summarize_state bytes",
  request: { params: idParams, headers: fuelLimit },
  responses: { 200: { ...binary("the summary"), headers: bytesDoc }, ...errors(...EXECUTION_ERRORS) },
});

const postDelta = createRoute({
  method: "post",
  path: "/{id}/delta",
  summary: "The get_state_delta bytes against a summary",
  ...TOKEN,
  request: {
    params: idParams,
    headers: fuelLimit,
    ...binaryRequest(`A summary, at most ${MAX_UPDATE_BYTES} bytes.`),
  },
  responses: {
    200: { ...binary("the delta"), headers: bytesDoc },
    ...errors(...EXECUTION_ERRORS, "INCOMPLETE_BODY", "PAYLOAD_TOO_LARGE"),
  },
});

const Validated = z.object({
  result: z.enum(["valid", "invalid", "requestRelated"]),
  related: z.array(Id).optional().meta({ description: "the contracts it asked for, when unresolved" }),
  version: z.number().int(),
  hash: Id,
  execution: Execution,
});

const postValidate = createRoute({
  method: "post",
  path: "/{id}/validate",
  summary: "Run validate_state on the current state",
  ...TOKEN,
  request: {
    params: idParams,
    query: z.object({
      resolve: z
        .enum(["true", "false"])
        .optional()
        .meta({ description: "false: answer requestRelated as is" }),
    }),
    headers: fuelLimit,
  },
  responses: {
    200: { ...json(Validated, "the contract's verdict"), headers: fuelDoc },
    ...errors(...EXECUTION_ERRORS, "RELATED_UNRESOLVED", "RELATED_LIMIT"),
  },
});

const postRun = createRoute({
  method: "post",
  path: "/{id}/run",
  summary: "Run the contract's run export; its storage writes (and its callees') commit with it",
  ...TOKEN,
  request: {
    params: idParams,
    headers: fuelLimit.extend({
      [FAULT_HEADER]: z
        .string()
        .optional()
        .meta({ description: "test deployments only (FAULT_INJECTION=1)" }),
    }),
    ...binaryRequest(`The input, at most ${MAX_UPDATE_BYTES} bytes.`),
  },
  responses: {
    200: {
      ...binary("the run's answer"),
      headers: {
        ...fuelDoc,
        "x-storage-bytes-written": { description: "linear storage bytes the run wrote", ...text },
        "x-transaction-id": { description: "once it called other contracts", ...text },
        "x-call-tree": { description: "JSON: who ran, with what fuel", ...text },
        "x-files-root": { description: "a component's files after the run", ...text },
        "x-contract-stdout": { description: "a component's stdout, base64", ...text },
        "x-contract-stderr": { description: "a component's stderr, base64", ...text },
      },
    },
    ...errors(...EXECUTION_ERRORS, "INCOMPLETE_BODY", "PAYLOAD_TOO_LARGE", "CONFLICT", "CALL_LIMIT"),
  },
});

export const executionRoutes = new DescribedRoutes()
  .openapi(postUpdates, async (c) => {
    const kind = c.req.query("kind") ?? "delta";
    if (kind !== "delta" && kind !== "state") {
      throw new EdgeError("BAD_REQUEST", 'kind must be "delta" or "state"', { details: { kind } });
    }
    const { stub } = instanceStub(c.env, c.req.param("id"));
    const options = executionOptions(c);
    const ifMatch = parseEtagCondition(c.req.header("if-match"));
    const data = await readRequestBounded(c.req.raw, MAX_UPDATE_BYTES, "update data");
    const { fuel, ...info } = unwrap(
      await stub.updateState({
        kind,
        data,
        conditions: ifMatch === undefined ? {} : { ifMatch },
        ...options,
      }),
    );
    return c.json({ ...info, execution: { fuel } }, 200, {
      etag: etagOf(info.hash),
      "x-state-version": String(info.version),
      ...fuelHeaders(fuel),
    });
  })
  .openapi(getSummary, async (c) => {
    const { stub } = instanceStub(c.env, c.req.param("id"));
    const options = executionOptions(c);
    return bytesResponse(unwrap((await stub.summarize(options)) as Outcome<ContractBytes>));
  })
  .openapi(postDelta, async (c) => {
    const { stub } = instanceStub(c.env, c.req.param("id"));
    const options = executionOptions(c);
    const summary = await readRequestBounded(c.req.raw, MAX_UPDATE_BYTES, "summary");
    return bytesResponse(unwrap((await stub.delta(summary, options)) as Outcome<ContractBytes>));
  })
  .openapi(postValidate, async (c) => {
    const { stub } = instanceStub(c.env, c.req.param("id"));
    const resolve = c.req.query("resolve") !== "false";
    const outcome = unwrap(await stub.validateCurrent(resolve, executionOptions(c)));
    return c.json(
      {
        result: outcome.result,
        ...("related" in outcome ? { related: outcome.related } : {}),
        version: outcome.info.version,
        hash: outcome.info.hash,
        execution: outcome.stats,
      },
      200,
      fuelHeaders(outcome.stats.fuel),
    );
  })
  .openapi(postRun, async (c) => {
    const { stub } = instanceStub(c.env, c.req.param("id"));
    const fault = faultOf(c.req.header(FAULT_HEADER), c.env);
    const options = { ...executionOptions(c), ...(fault ? { fault } : {}) };
    const input = await readRequestBounded(c.req.raw, MAX_UPDATE_BYTES, "run input");
    const result = unwrap((await stub.runContract(input, options)) as Outcome<RunAnswer>);
    const headers = new Headers({
      "content-type": "application/octet-stream",
      "content-length": String(result.size),
      "x-contract-pages": result.stats.pages,
      "x-storage-bytes-written": String(result.storageBytesWritten),
      ...fuelHeaders(result.stats.fuel),
    });
    if (result.files) {
      // Linear memory of the component's core instances at the end: shows a streamed file never lands in it.
      headers.set("x-guest-memory-bytes", String(result.stats.guestMemoryBytes));
      headers.set("x-files-root", result.files.root);
      headers.set("x-files-version", String(result.files.version));
    }
    if (result.transaction) {
      // The run called other contracts: one transaction, committed; the tree says who ran, with what fuel.
      headers.set("x-transaction-id", result.transaction.id);
      headers.set("x-call-tree", JSON.stringify(result.transaction.calls));
    }
    if (result.output) {
      // Bounded per call (COMPONENT_OUTPUT_BYTES): base64 keeps any bytes header-safe.
      headers.set("x-contract-stdout", base64.encode(result.output.stdout));
      headers.set("x-contract-stderr", base64.encode(result.output.stderr));
      if (result.output.droppedBytes > 0)
        headers.set("x-contract-output-dropped", String(result.output.droppedBytes));
    }
    return new Response(sizedBody(result.body, result.size), {
      status: 200,
      headers,
    });
  });
