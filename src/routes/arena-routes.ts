// The default fbmu arena of an instance (README "Fabric memory leases"): its
// size and its bytes. It lives under .../leases/arena, a path no lease id can
// take (ids are 32 hex digits), so the private-read rule that guards lease
// bytes (src/http/auth.ts) guards it too. Mounted before the lease routes,
// whose /:leaseId would take "arena" for a (malformed) lease id.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { unwrap } from "../errors.js";
import { DescribedRoutes, errors, idParams, json, TOKEN } from "../http/openapi.js";
import {
  BASE_ERRORS,
  bytesResponse,
  bytesRoutes,
  leaseApi,
  lengthOf,
  offsetOf,
  upload,
} from "./lease-bytes-http.js";

const Arena = z.object({ arenaSize: z.number().int() });

const getArena = createRoute({
  method: "get",
  path: "/{id}/leases/arena",
  summary: "The default fbmu arena's size (not a lease: no id, never expires)",
  ...TOKEN,
  request: { params: idParams },
  responses: { 200: json(Arena, "the arena"), ...errors(...BASE_ERRORS) },
});

const arenaBytes = bytesRoutes({
  path: "/{id}/leases/arena/bytes",
  params: idParams,
  what: "the default arena",
  sizeHeader: "x-arena-size",
  errors: [...BASE_ERRORS, "BAD_REQUEST"],
});

export const arenaRoutes = new DescribedRoutes()
  .openapi(getArena, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    return c.json(unwrap(await api.arena()), 200);
  })
  .openapi(arenaBytes.read, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    const offset = offsetOf(c);
    const { arenaSize } = unwrap(await api.arena());
    const length = lengthOf(c, arenaSize, offset);
    const body = unwrap(await api.readArena(offset, length));
    return bytesResponse(body, length, "x-arena-size", arenaSize);
  })
  .openapi(arenaBytes.write, async (c) => {
    const api = await leaseApi(c.env, c.req.param("id"));
    const { offset, length } = upload(c, "arena bytes");
    return c.json(unwrap(await api.writeArena(offset, c.req.raw.body, length)), 200);
  });
