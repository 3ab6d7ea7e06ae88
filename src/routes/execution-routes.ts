// Routes that run the contract: updates, summary, delta, validate.
import { Hono } from "hono";
import { base64 } from "@scure/base";
import type { ContractBytes, RunAnswer } from "../protocol/instance-rpc.js";
import type { Env } from "../env.js";
import { EdgeError, unwrap, type Outcome } from "../errors.js";
import { parseEtagCondition } from "../http/conditional.js";
import { executionOptions, fuelHeaders } from "../http/fuel-headers.js";
import { FAULT_HEADER, faultOf } from "../http/fault-header.js";
import { readBounded } from "../http/read-bounded.js";
import { MAX_UPDATE_BYTES } from "../limits.js";
import { etagOf } from "../store/state/version-info.js";
import { instanceStub } from "./instance-stub.js";

export const executionRoutes = new Hono<{ Bindings: Env }>();

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
  const body = result.body?.pipeThrough(new FixedLengthStream(result.size)) ?? null;
  return new Response(body, { status: 200, headers });
}

executionRoutes.post("/:id/updates", async (c) => {
  const kind = c.req.query("kind") ?? "delta";
  if (kind !== "delta" && kind !== "state") {
    throw new EdgeError("BAD_REQUEST", 'kind must be "delta" or "state"', { details: { kind } });
  }
  const { stub } = instanceStub(c.env, c.req.param("id"));
  const options = executionOptions(c);
  const ifMatch = parseEtagCondition(c.req.header("if-match"));
  const data = await readBounded(c.req.raw.body, MAX_UPDATE_BYTES, "update data");
  const { fuel, ...info } = unwrap(
    await stub.updateState({ kind, data, conditions: ifMatch === undefined ? {} : { ifMatch }, ...options }),
  );
  return c.json({ ...info, execution: { fuel } }, 200, {
    etag: etagOf(info.hash),
    "x-state-version": String(info.version),
    ...fuelHeaders(fuel),
  });
});

executionRoutes.get("/:id/summary", async (c) => {
  const { stub } = instanceStub(c.env, c.req.param("id"));
  const options = executionOptions(c);
  return bytesResponse(unwrap((await stub.summarize(options)) as Outcome<ContractBytes>));
});

executionRoutes.post("/:id/delta", async (c) => {
  const { stub } = instanceStub(c.env, c.req.param("id"));
  const options = executionOptions(c);
  const summary = await readBounded(c.req.raw.body, MAX_UPDATE_BYTES, "summary");
  return bytesResponse(unwrap((await stub.delta(summary, options)) as Outcome<ContractBytes>));
});

executionRoutes.post("/:id/validate", async (c) => {
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
});

executionRoutes.post("/:id/run", async (c) => {
  const { stub } = instanceStub(c.env, c.req.param("id"));
  const fault = faultOf(c.req.header(FAULT_HEADER), c.env);
  const options = { ...executionOptions(c), ...(fault ? { fault } : {}) };
  const input = await readBounded(c.req.raw.body, MAX_UPDATE_BYTES, "run input");
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
  return new Response(result.body?.pipeThrough(new FixedLengthStream(result.size)) ?? null, {
    status: 200,
    headers,
  });
});
