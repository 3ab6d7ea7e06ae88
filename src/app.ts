// The edge app: routes wired to modules, one error shape for every failure.
import { Hono } from "hono";
import type { Env } from "./env.js";
import { EdgeError } from "./errors.js";
import { requireToken } from "./http/auth.js";
import { errorResponse, toEdgeError } from "./http/error-response.js";
import { codeRoutes } from "./routes/code-routes.js";
import { contractRoutes } from "./routes/contract-routes.js";
import { executionRoutes } from "./routes/execution-routes.js";
import { stateRoutes } from "./routes/state-routes.js";
import { leaseRoutes } from "./routes/lease-routes.js";
import { storageRoutes } from "./routes/storage-routes.js";
import { filesRoutes } from "./routes/files-routes.js";
import { transactionRoutes } from "./routes/transaction-routes.js";
import { pubsubRoutes } from "./routes/pubsub-routes.js";
import { subscribeRoutes } from "./routes/subscribe-routes.js";
import { HTTPException } from "hono/http-exception";

export function createApp() {
  const app = new Hono<{ Bindings: Env }>();
  app.use("/v1/*", requireToken);
  app.get("/", (c) => c.json({ service: "edge-contracts", api: "v1" }));
  app.route("/v1/code", codeRoutes);
  app.route("/v1/contracts", contractRoutes);
  app.route("/v1/contracts", stateRoutes);
  app.route("/v1/contracts", executionRoutes);
  app.route("/v1/contracts", storageRoutes);
  app.route("/v1/contracts", leaseRoutes);
  app.route("/v1/contracts", filesRoutes);
  app.route("/v1/contracts", pubsubRoutes);
  app.route("/v1/contracts", subscribeRoutes);
  app.route("/v1/transactions", transactionRoutes);
  app.notFound((c) =>
    errorResponse(new EdgeError("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError(async (error, c) => {
    if (error instanceof HTTPException && error.res) return error.getResponse();
    const edgeError = toEdgeError(error);
    if (edgeError.code === "INTERNAL") console.error("internal error", error);
    const response = errorResponse(edgeError);
    // A body the route refused without reading (too large, unauthorized, ...) is
    // dropped, not drained: the answer goes out now and the connection closes.
    const body = c.req.raw.body;
    if (body && !c.req.raw.bodyUsed && !body.locked) {
      await body.cancel().catch(() => {});
      response.headers.set("connection", "close");
    }
    return response;
  });
  return app;
}
