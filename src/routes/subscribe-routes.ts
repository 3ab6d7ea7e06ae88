// GET /v1/contracts/:id/subscribe: a WebSocket of the instance's state
// changes (README "Subscriptions"), served by its Durable Object with the
// hibernation API; public, as state reads are.
import { Hono } from "hono";
import type { Env } from "../env.js";
import { EdgeError } from "../errors.js";
import { instanceStub } from "./instance-stub.js";

export const subscribeRoutes = new Hono<{ Bindings: Env }>();

subscribeRoutes.get("/:id/subscribe", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new EdgeError("UPGRADE_REQUIRED", "subscribe is a WebSocket: send Upgrade: websocket");
  }
  const { stub } = instanceStub(c.env, c.req.param("id"));
  return stub.fetch(c.req.raw);
});
