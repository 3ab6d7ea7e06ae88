// Fabric memory leases of an instance over HTTP (README "Fabric memory leases"), and its
// default fbmu arena. The arena lives under .../leases/arena, a path no lease
// id can take (ids are 32 hex digits), so the private-read rule that guards
// lease bytes (src/http/auth.ts) guards it too.
import { hex } from "@scure/base";
import { Hono, type Context } from "hono";
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
type LeaseContext = Context<{ Bindings: Env }>;

const LEASE_ID = /^[0-9a-f]{32}$/;
// The default arena's storage key: no lease has it, and it must not reach the arena by another path.
const ZERO_LEASE_ID = "0".repeat(32);

function leaseId(text: string): Uint8Array {
  if (!LEASE_ID.test(text))
    throw new EdgeError("INVALID_ID", "lease ids are 32 lowercase hex digits", {
      details: { leaseId: text },
    });
  if (text === ZERO_LEASE_ID)
    throw new EdgeError("BAD_REQUEST", "lease id 0…0 names no lease (the default arena: .../leases/arena)", {
      details: { leaseId: text },
    });
  return hex.decode(text);
}

/** An arena range as bytes: the length was bounded and the range checked before the stream began. */
function bytesResponse(body: ReadableStream<Uint8Array>, length: number, sizeHeader: string, size: number) {
  return new Response(body.pipeThrough(new FixedLengthStream(length)), {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(length),
      [sizeHeader]: String(size),
    },
  });
}

const offsetOf = (c: LeaseContext) => nonNegativeInteger("offset", c.req.query("offset"), 0);

/** Without a length: the rest of the arena, one page (MAX_READ_BYTES_PER_REQUEST) at most. */
const lengthOf = (c: LeaseContext, arenaSize: number, offset: number) =>
  readLength(c.req.query("length"), Math.max(0, arenaSize - offset));

/** The upload a PUT bytes declares: its Content-Length, which it must have, and its `offset`. */
function upload(c: LeaseContext, what: string): { offset: number; length: number } {
  const length = contentLength(c.req.header("content-length"));
  if (length === undefined)
    throw new EdgeError("LENGTH_REQUIRED", `PUT ${what} needs a Content-Length header`);
  return { offset: offsetOf(c), length };
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

// Before /:leaseId, which would take "arena" for a (malformed) lease id.
leaseRoutes.get("/:id/leases/arena", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  return c.json(unwrap(await api.arena()));
});

leaseRoutes.get("/:id/leases/arena/bytes", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  const offset = offsetOf(c);
  const { arenaSize } = unwrap(await api.arena());
  const length = lengthOf(c, arenaSize, offset);
  const body = unwrap(await api.readArena(offset, length));
  return bytesResponse(body, length, "x-arena-size", arenaSize);
});

leaseRoutes.put("/:id/leases/arena/bytes", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  const { offset, length } = upload(c, "arena bytes");
  return c.json(unwrap(await api.writeArena(offset, c.req.raw.body, length)));
});

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
  const offset = offsetOf(c);
  const { arenaSize } = unwrap(await api.get(id));
  const length = lengthOf(c, arenaSize, offset);
  const body = unwrap(await api.read(id, offset, length));
  return bytesResponse(body, length, "x-lease-size", arenaSize);
});

leaseRoutes.put("/:id/leases/:leaseId/bytes", async (c) => {
  const api = await leaseApi(c.env, c.req.param("id"));
  const id = leaseId(c.req.param("leaseId"));
  const { offset, length } = upload(c, "lease bytes");
  return c.json(unwrap(await api.write(id, offset, c.req.raw.body, length)));
});
