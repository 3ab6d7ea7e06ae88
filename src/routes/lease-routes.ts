// Fabric memory leases of an instance over HTTP (SPEC section 7).
import { hex } from "@scure/base";
import { Hono } from "hono";
import { z } from "zod";
import type { Env } from "../env.js";
import { EdgeError, unwrap, type Outcome } from "../errors.js";
import { jsonBody } from "../http/json-body.js";
import { contentLength } from "../http/read-bounded.js";
import { nonNegativeInteger, readLength } from "../http/read-length.js";
import type { LeaseInfo } from "../store/leases/lease-store.js";
import type { LeaseApi } from "../store/leases/lease-api.js";
import { instanceStub } from "./instance-stub.js";

/** The instance's LeaseApi (CONTRACT_NOT_FOUND when there is no instance). */
async function leaseApi(env: Env, id: string): Promise<LeaseApi> {
  const { stub } = instanceStub(env, id);
  return unwrap((await stub.leases()) as unknown as Outcome<LeaseApi>);
}

export const leaseRoutes = new Hono<{ Bindings: Env }>();

const LEASE_ID = /^[0-9a-f]{32}$/;

function leaseId(text: string): Uint8Array {
  if (!LEASE_ID.test(text))
    throw new EdgeError("INVALID_ID", "lease ids are 32 lowercase hex digits", {
      details: { leaseId: text },
    });
  return hex.decode(text);
}

function view(info: LeaseInfo) {
  return {
    id: hex.encode(info.id),
    createdAt: info.createdAt,
    expiresAt: info.expiresAt,
    status: info.status,
    arenaSize: info.arenaSize,
  };
}

leaseRoutes.get("/:id/leases", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  const leases = unwrap(await api.list());
  return c.json({ leases: leases.map(view) });
});

const acquireBody = z.object({ minBytes: z.number().int().positive(), leaseSecs: z.number().int().min(1) });
const renewBody = z.object({ secs: z.number().int().min(1) });

leaseRoutes.post("/:id/leases", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  const { minBytes, leaseSecs } = await jsonBody(
    c.req,
    acquireBody,
    "{ minBytes: integer, leaseSecs: integer }",
  );
  const info = unwrap(await api.acquire(minBytes, leaseSecs));
  return c.json(view(info), 201, {
    location: `/v1/contracts/${c.req.param("id")}/leases/${hex.encode(info.id)}`,
  });
});

leaseRoutes.get("/:id/leases/:leaseId", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  return c.json(view(unwrap(await api.get(leaseId(c.req.param("leaseId"))))));
});

leaseRoutes.post("/:id/leases/:leaseId/renew", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  const { secs } = await jsonBody(c.req, renewBody, "{ secs: integer }");
  const info = unwrap(await api.renew(leaseId(c.req.param("leaseId")), secs));
  return c.json(view(info));
});

leaseRoutes.delete("/:id/leases/:leaseId", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  return c.json(view(unwrap(await api.free(leaseId(c.req.param("leaseId"))))));
});

leaseRoutes.get("/:id/leases/:leaseId/bytes", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  const id = leaseId(c.req.param("leaseId"));
  const offset = nonNegativeInteger("offset", c.req.query("offset"), 0);
  const info = unwrap(await api.get(id));
  // Without a length: the rest of the arena, one page (MAX_READ_BYTES_PER_REQUEST) at most.
  const length = readLength(c.req.query("length"), Math.max(0, info.arenaSize - offset));
  const body = unwrap(await api.read(id, offset, length));
  return new Response(body.pipeThrough(new FixedLengthStream(length)), {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(length),
      "x-lease-size": String(info.arenaSize),
    },
  });
});

leaseRoutes.put("/:id/leases/:leaseId/bytes", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  const id = leaseId(c.req.param("leaseId"));
  const length = contentLength(c.req.header("content-length"));
  if (length === undefined)
    throw new EdgeError("LENGTH_REQUIRED", "PUT lease bytes needs a Content-Length header");
  const result = unwrap(
    await api.write(id, nonNegativeInteger("offset", c.req.query("offset"), 0), c.req.raw.body, length),
  );
  return c.json(result);
});
