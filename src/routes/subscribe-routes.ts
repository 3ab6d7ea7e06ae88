// GET /v1/contracts/:id/subscribe: a WebSocket of the instance's state
// changes (README "Subscriptions"), served by its Durable Object with the
// hibernation API; public, as state reads are.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { EdgeError } from "../errors.js";
import { DescribedRoutes, errors, idParams } from "../http/openapi.js";
import { instanceStub } from "./instance-stub.js";

const subscribe = createRoute({
  method: "get",
  path: "/{id}/subscribe",
  summary: "Live state changes over a WebSocket: the delta from the summary you hold, after every commit",
  request: {
    params: idParams,
    query: z.object({
      summary: z
        .string()
        .optional()
        .meta({ description: "base64url summary of the state you hold (at most 8 KiB)" }),
      version: z
        .string()
        .optional()
        .meta({ description: "the version you hold (to resume without a duplicate)" }),
    }),
    headers: z.object({ upgrade: z.literal("websocket") }),
  },
  responses: {
    101: {
      description:
        "switching to a WebSocket: JSON headers {type, seq, version, hash, summary, size, data?} and binary frames",
    },
    ...errors("BAD_REQUEST", "INVALID_ID", "CONTRACT_NOT_FOUND", "UPGRADE_REQUIRED", "SUBSCRIBER_LIMIT"),
  },
});

export const subscribeRoutes = new DescribedRoutes().openapi(subscribe, async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new EdgeError("UPGRADE_REQUIRED", "subscribe is a WebSocket: send Upgrade: websocket");
  }
  const { stub } = instanceStub(c.env, c.req.param("id"));
  return stub.fetch(c.req.raw);
});
