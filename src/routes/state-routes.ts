// GET|HEAD|PUT /v1/contracts/:id/state: bodies stream through, never buffered.
import { Hono } from "hono";
import { readSettings } from "../config.js";
import type { Env } from "../env.js";
import { EdgeError, unwrap } from "../errors.js";
import { parseEtagCondition } from "../http/conditional.js";
import { executionOptions, fuelHeaders } from "../http/fuel-headers.js";
import { parseRange } from "../http/range.js";
import { contentLength } from "../http/read-bounded.js";
import { stateTooLarge } from "../store/state/state-store.js";
import { etagOf, type VersionInfo } from "../store/state/version-info.js";
import { instanceStub } from "./instance-stub.js";

export const stateRoutes = new Hono<{ Bindings: Env }>();

function versionHeaders(info: VersionInfo): Record<string, string> {
  return {
    etag: etagOf(info.hash),
    "x-state-version": String(info.version),
    "accept-ranges": "bytes",
    "cache-control": "no-cache",
  };
}

// workerd sends a stream body chunked unless it comes from a FixedLengthStream,
// which also fails the response if the DO were to deliver a different length.
function withLength(body: ReadableStream<Uint8Array> | null, length: number): ReadableStream | null {
  if (!body) return null;
  return body.pipeThrough(new FixedLengthStream(length));
}

stateRoutes.get("/:id/state", async (c) => {
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
    return new Response(withLength(read.body, end - start), { status: 206, headers });
  }
  headers.set("content-length", String(read.info.size));
  return new Response(withLength(read.body, read.info.size), { status: 200, headers });
});

stateRoutes.put("/:id/state", async (c) => {
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
