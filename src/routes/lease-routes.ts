// Fabric memory leases of an instance over HTTP (README "Fabric memory
// leases"): acquire, list, read, renew, revoke, and their bytes. The default
// arena's routes (arena-routes.ts) are mounted before these.
import { createRoute } from "@hono/zod-openapi";
import { hex } from "@scure/base";
import { z } from "zod";
import { EdgeError, unwrap } from "../errors.js";
import { jsonBody } from "../http/json-body.js";
import { DescribedRoutes, errors, idParams, json, jsonRequest, Timestamp, TOKEN } from "../http/openapi.js";
import type { LeaseInfo } from "../store/leases/lease-store.js";
import {
  BASE_ERRORS,
  bytesResponse,
  bytesRoutes,
  leaseApi,
  lengthOf,
  offsetOf,
  textHeader,
  upload,
} from "./lease-bytes-http.js";

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

const leaseParams = idParams.extend({
  leaseId: z
    .string()
    .regex(LEASE_ID)
    .meta({ description: "32 lowercase hex digits (0…0 names no lease: 400)" }),
});
const Lease = z.object({
  id: z.string().meta({ description: "32 hex digits" }),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  status: z.enum(["active", "expired", "revoked"]),
  arenaSize: z.number().int(),
});

const LEASE_ERRORS = [
  ...BASE_ERRORS,
  "BAD_REQUEST",
  "LEASE_NOT_FOUND",
  "LEASE_EXPIRED",
  "LEASE_REVOKED",
] as const;

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
      headers: { location: { description: "/v1/contracts/{id}/leases/{leaseId}", ...textHeader } },
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

const leaseBytes = bytesRoutes({
  path: "/{id}/leases/{leaseId}/bytes",
  params: leaseParams,
  what: "a lease",
  sizeHeader: "x-lease-size",
  errors: LEASE_ERRORS,
});

export const leaseRoutes = new DescribedRoutes()
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
  .openapi(leaseBytes.read, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    const id = leaseId(c.req.param("leaseId"));
    const offset = offsetOf(c);
    const { arenaSize } = unwrap(await api.get(id));
    const length = lengthOf(c, arenaSize, offset);
    const body = unwrap(await api.read(id, offset, length));
    return bytesResponse(body, length, "x-lease-size", arenaSize);
  })
  .openapi(leaseBytes.write, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    const id = leaseId(c.req.param("leaseId"));
    const { offset, length } = upload(c, "lease bytes");
    return c.json(unwrap(await api.write(id, offset, c.req.raw.body, length)), 200);
  });
