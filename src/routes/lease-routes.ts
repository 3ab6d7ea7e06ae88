// Fabric memory leases of an instance over HTTP (README "Fabric memory leases"), and its
// default fbmu arena. The arena lives under .../leases/arena, a path no lease
// id can take (ids are 32 hex digits), so the private-read rule that guards
// lease bytes (src/http/auth.ts) guards it too.
import { createRoute } from "@hono/zod-openapi";
import { hex } from "@scure/base";
import type { Context } from "hono";
import { z } from "zod";
import type { Env } from "../env.js";
import { EdgeError, unwrap, type Outcome } from "../errors.js";
import { jsonBody } from "../http/json-body.js";
import {
  binary,
  binaryRequest,
  DescribedRoutes,
  errors,
  idParams,
  Integer,
  json,
  jsonRequest,
  Timestamp,
  TOKEN,
} from "../http/openapi.js";
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

const acquireBody = z.object({ minBytes: z.number().int().positive(), leaseSecs: z.number().int().min(1) });
const renewBody = z.object({ secs: z.number().int().min(1) });

const text = { schema: { type: "string" as const } };
const leaseParams = idParams.extend({
  leaseId: z
    .string()
    .regex(LEASE_ID)
    .meta({ description: "32 lowercase hex digits (0…0 names no lease: 400)" }),
});
const readQuery = z.object({
  offset: Integer.optional().meta({ description: "default 0" }),
  length: Integer.optional().meta({ description: "default: the rest, one page (16 MiB) at most" }),
});
const writeRequest = (what: string) => ({
  query: z.object({ offset: Integer.optional().meta({ description: "default 0" }) }),
  headers: z.object({ "content-length": z.string().meta({ description: "required" }) }),
  ...binaryRequest(`The bytes to write at offset into ${what}, each 64 KiB frame durable as it lands.`),
});

const Lease = z.object({
  id: z.string().meta({ description: "32 hex digits" }),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  status: z.enum(["active", "expired", "revoked"]),
  arenaSize: z.number().int(),
});
const Arena = z.object({ arenaSize: z.number().int() });
const Written = z.object({ written: z.number().int() });

const BASE_ERRORS = ["UNAUTHORIZED", "INVALID_ID", "CONTRACT_NOT_FOUND"] as const;
const LEASE_ERRORS = [
  ...BASE_ERRORS,
  "BAD_REQUEST",
  "LEASE_NOT_FOUND",
  "LEASE_EXPIRED",
  "LEASE_REVOKED",
] as const;
const WRITE_ERRORS = ["LENGTH_REQUIRED", "INCOMPLETE_BODY", "LEASE_OUT_OF_BOUNDS"] as const;

const getArena = createRoute({
  method: "get",
  path: "/{id}/leases/arena",
  summary: "The default fbmu arena's size (not a lease: no id, never expires)",
  ...TOKEN,
  request: { params: idParams },
  responses: { 200: json(Arena, "the arena"), ...errors(...BASE_ERRORS) },
});

const getArenaBytes = createRoute({
  method: "get",
  path: "/{id}/leases/arena/bytes",
  summary: "The default arena's bytes",
  ...TOKEN,
  request: { params: idParams, query: readQuery },
  responses: {
    200: {
      ...binary("the bytes"),
      headers: { "x-arena-size": { description: "the arena's size", ...text } },
    },
    ...errors(...BASE_ERRORS, "BAD_REQUEST", "READ_TOO_LARGE", "LEASE_OUT_OF_BOUNDS"),
  },
});

const putArenaBytes = createRoute({
  method: "put",
  path: "/{id}/leases/arena/bytes",
  summary: "Write the default arena's bytes",
  ...TOKEN,
  request: { params: idParams, ...writeRequest("the arena") },
  responses: {
    200: json(Written, "bytes written"),
    ...errors(...BASE_ERRORS, "BAD_REQUEST", ...WRITE_ERRORS),
  },
});

const listLeases = createRoute({
  method: "get",
  path: "/{id}/leases",
  summary: "An instance's leases",
  ...TOKEN,
  request: { params: idParams },
  responses: { 200: json(z.object({ leases: z.array(Lease) }), "the leases"), ...errors(...BASE_ERRORS) },
});

const acquire = createRoute({
  method: "post",
  path: "/{id}/leases",
  summary: "Acquire a lease of fabric memory",
  ...TOKEN,
  request: {
    params: idParams,
    ...jsonRequest(acquireBody, "At least minBytes, for leaseSecs (at most LEASE_MAX_SECS)."),
  },
  responses: {
    201: {
      ...json(Lease, "the lease"),
      headers: { location: { description: "/v1/contracts/{id}/leases/{leaseId}", ...text } },
    },
    ...errors(...BASE_ERRORS, "BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE", "LEASE_CAPACITY_EXCEEDED"),
  },
});

const getLease = createRoute({
  method: "get",
  path: "/{id}/leases/{leaseId}",
  summary: "A lease",
  ...TOKEN,
  request: { params: leaseParams },
  responses: { 200: json(Lease, "the lease"), ...errors(...LEASE_ERRORS) },
});

const renew = createRoute({
  method: "post",
  path: "/{id}/leases/{leaseId}/renew",
  summary: "Extend a lease to at least now + secs",
  ...TOKEN,
  request: { params: leaseParams, ...jsonRequest(renewBody, "How long from now.") },
  responses: { 200: json(Lease, "the lease"), ...errors(...LEASE_ERRORS, "UNSUPPORTED_MEDIA_TYPE") },
});

const free = createRoute({
  method: "delete",
  path: "/{id}/leases/{leaseId}",
  summary: "Revoke a lease",
  ...TOKEN,
  request: { params: leaseParams },
  responses: { 200: json(Lease, "the lease, revoked"), ...errors(...LEASE_ERRORS) },
});

const getLeaseBytes = createRoute({
  method: "get",
  path: "/{id}/leases/{leaseId}/bytes",
  summary: "A lease's bytes",
  ...TOKEN,
  request: { params: leaseParams, query: readQuery },
  responses: {
    200: {
      ...binary("the bytes"),
      headers: { "x-lease-size": { description: "the lease's size", ...text } },
    },
    ...errors(...LEASE_ERRORS, "READ_TOO_LARGE", "LEASE_OUT_OF_BOUNDS"),
  },
});

const putLeaseBytes = createRoute({
  method: "put",
  path: "/{id}/leases/{leaseId}/bytes",
  summary: "Write a lease's bytes",
  ...TOKEN,
  request: { params: leaseParams, ...writeRequest("the lease") },
  responses: { 200: json(Written, "bytes written"), ...errors(...LEASE_ERRORS, ...WRITE_ERRORS) },
});

export const leaseRoutes = new DescribedRoutes()
  // Before /:leaseId, which would take "arena" for a (malformed) lease id.
  .openapi(getArena, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    return c.json(unwrap(await api.arena()), 200);
  })
  .openapi(getArenaBytes, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    const offset = offsetOf(c);
    const { arenaSize } = unwrap(await api.arena());
    const length = lengthOf(c, arenaSize, offset);
    const body = unwrap(await api.readArena(offset, length));
    return bytesResponse(body, length, "x-arena-size", arenaSize);
  })
  .openapi(putArenaBytes, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    const { offset, length } = upload(c, "arena bytes");
    return c.json(unwrap(await api.writeArena(offset, c.req.raw.body, length)), 200);
  })
  .openapi(listLeases, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    const leases = unwrap(await api.list());
    return c.json({ leases: leases.map(view) }, 200);
  })
  .openapi(acquire, async (c) => {
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
  })
  .openapi(getLease, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    return c.json(view(unwrap(await api.get(leaseId(c.req.param("leaseId"))))), 200);
  })
  .openapi(renew, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    const { secs } = await jsonBody(c.req, renewBody, "{ secs: integer }");
    const info = unwrap(await api.renew(leaseId(c.req.param("leaseId")), secs));
    return c.json(view(info), 200);
  })
  .openapi(free, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    return c.json(view(unwrap(await api.free(leaseId(c.req.param("leaseId"))))), 200);
  })
  .openapi(getLeaseBytes, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    const id = leaseId(c.req.param("leaseId"));
    const offset = offsetOf(c);
    const { arenaSize } = unwrap(await api.get(id));
    const length = lengthOf(c, arenaSize, offset);
    const body = unwrap(await api.read(id, offset, length));
    return bytesResponse(body, length, "x-lease-size", arenaSize);
  })
  .openapi(putLeaseBytes, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    const id = leaseId(c.req.param("leaseId"));
    const { offset, length } = upload(c, "lease bytes");
    return c.json(unwrap(await api.write(id, offset, c.req.raw.body, length)), 200);
  });
