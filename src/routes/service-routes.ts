// GET / (what answers here) and GET /v1/openapi.json (this API's OpenAPI 3.1
// description, every route with its schemas and error codes).
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { json } from "../http/openapi.js";

export const rootRoute = createRoute({
  method: "get",
  path: "/",
  summary: "The service's name and API version",
  responses: {
    200: json(z.object({ service: z.literal("edge-contracts"), api: z.literal("v1") }), "the service"),
  },
});

export const documentRoute = createRoute({
  method: "get",
  path: "/v1/openapi.json",
  summary: "This document: the API in OpenAPI 3.1",
  responses: {
    200: json(
      z.record(z.string(), z.unknown()).meta({ description: "an OpenAPI 3.1 document" }),
      "the document",
    ),
  },
});
