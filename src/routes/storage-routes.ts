// Linear storage inspection: GET /v1/contracts/:id/storage?offset=&length=, GET .../storage/stats.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { readSettings } from "../config.js";
import { EdgeError, unwrap } from "../errors.js";
import { binary, DescribedRoutes, errors, idParams, Integer, json, TOKEN } from "../http/openapi.js";
import { nonNegativeInteger, readLength } from "../http/read-length.js";
import { MAX_READ_BYTES_PER_REQUEST } from "../limits.js";
import { instanceStub } from "./instance-stub.js";
import { sizedBody } from "../http/sized-body.js";

const Stats = z.object({
  size: z.number().int().meta({ description: "bytes a contract has addressed (the end of its last write)" }),
  framesStored: z.number().int(),
  bytesStored: z.number().int(),
});

const getStats = createRoute({
  method: "get",
  path: "/{id}/storage/stats",
  summary: "Linear storage size and what is stored",
  ...TOKEN,
  request: { params: idParams },
  responses: { 200: json(Stats, "the stats"), ...errors("UNAUTHORIZED", "INVALID_ID", "CONTRACT_NOT_FOUND") },
});

const getStorage = createRoute({
  method: "get",
  path: "/{id}/storage",
  summary: "Linear storage bytes (holes read as zeros)",
  ...TOKEN,
  request: {
    params: idParams,
    query: z.object({
      offset: Integer.optional().meta({ description: "default 0" }),
      length: Integer.optional().meta({
        description: `default: the rest, at most ${MAX_READ_BYTES_PER_REQUEST} bytes (one read's limit)`,
      }),
    }),
  },
  responses: {
    200: {
      ...binary("the bytes"),
      headers: { "x-storage-size": { description: "the storage size", schema: { type: "string" as const } } },
    },
    ...errors(
      "UNAUTHORIZED",
      "INVALID_ID",
      "BAD_REQUEST",
      "READ_TOO_LARGE",
      "CONTRACT_NOT_FOUND",
      "RANGE_NOT_SATISFIABLE",
    ),
  },
});

export const storageRoutes = new DescribedRoutes()
  .openapi(getStats, async (c) => {
    const { stub } = instanceStub(c.env, c.req.param("id"));
    return c.json(unwrap(await stub.storageStats()), 200);
  })
  .openapi(getStorage, async (c) => {
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
    return new Response(sizedBody(body, length), {
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(length),
        "x-storage-size": String(stats.size),
      },
    });
  });
