// Linear storage inspection: GET /v1/contracts/:id/storage?offset=&length=, GET .../storage/stats.
import { Hono } from "hono";
import type { Env } from "../env.js";
import { readSettings } from "../config.js";
import { EdgeError, unwrap } from "../errors.js";
import { nonNegativeInteger, readLength } from "../http/read-length.js";
import { instanceStub } from "./instance-stub.js";

export const storageRoutes = new Hono<{ Bindings: Env }>();

storageRoutes.get("/:id/storage/stats", async (c) => {
  const { stub } = instanceStub(c.env, c.req.param("id"));
  return c.json(unwrap(await stub.storageStats()));
});

storageRoutes.get("/:id/storage", async (c) => {
  const { stub } = instanceStub(c.env, c.req.param("id"));
  const offset = nonNegativeInteger("offset", c.req.query("offset"), 0);
  const stats = unwrap(await stub.storageStats());
  const length = readLength(c.req.query("length"), Math.max(0, stats.size - offset));
  // Holes read as zeros, but only inside the space a contract can address.
  const { storageLimitBytes } = readSettings(c.env);
  if (offset + length > storageLimitBytes) {
    throw new EdgeError("RANGE_NOT_SATISFIABLE", `linear storage ends at ${storageLimitBytes} bytes`, {
      details: { offset, length, size: storageLimitBytes },
    });
  }
  const body = unwrap(await stub.readStorage(offset, length));
  return new Response(body.pipeThrough(new FixedLengthStream(length)), {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(length),
      "x-storage-size": String(stats.size),
    },
  });
});
