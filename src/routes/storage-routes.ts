// Linear storage inspection: GET /v1/contracts/:id/storage?offset=&length=, GET .../storage/stats.
import { Hono } from "hono";
import type { Env } from "../env.js";
import { EdgeError, unwrap } from "../errors.js";
import { instanceStub } from "./instance-stub.js";

export const storageRoutes = new Hono<{ Bindings: Env }>();

// One inspection read streams at most this much (holes are zero-filled, so any range is cheap to ask for).
const MAX_INSPECT_BYTES = 256 * 1024 * 1024;

function nonNegative(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new EdgeError("BAD_REQUEST", `${name} must be a non-negative integer`, {
      details: { [name]: raw },
    });
  }
  return Number(raw);
}

storageRoutes.get("/:id/storage/stats", async (c) => {
  const { stub } = instanceStub(c.env, c.req.param("id"));
  return c.json(unwrap(await stub.storageStats()));
});

storageRoutes.get("/:id/storage", async (c) => {
  const { stub } = instanceStub(c.env, c.req.param("id"));
  const offset = nonNegative("offset", c.req.query("offset"), 0);
  const stats = unwrap(await stub.storageStats());
  const length = nonNegative("length", c.req.query("length"), Math.max(0, stats.size - offset));
  if (length > MAX_INSPECT_BYTES) {
    throw new EdgeError("PAYLOAD_TOO_LARGE", `storage reads are limited to ${MAX_INSPECT_BYTES} bytes`, {
      details: { limit: MAX_INSPECT_BYTES },
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
