// The edge app: routes wired to modules, one error shape for every failure.
// Every route is described where it is defined (createRoute); the chain below
// carries their types into AppType, for hono's typed client (hc<AppType>).
import { EdgeError } from "./errors.js";
import { requireToken } from "./http/auth.js";
import { errorResponse, toEdgeError } from "./http/error-response.js";
import { DescribedRoutes, DOCUMENT_INFO, registerSecurity } from "./http/openapi.js";
import { codeRoutes } from "./routes/code-routes.js";
import { contractRoutes } from "./routes/contract-routes.js";
import { executionRoutes } from "./routes/execution-routes.js";
import { stateRoutes } from "./routes/state-routes.js";
import { arenaRoutes } from "./routes/arena-routes.js";
import { leaseRoutes } from "./routes/lease-routes.js";
import { storageRoutes } from "./routes/storage-routes.js";
import { filesRoutes } from "./routes/files-routes.js";
import { transactionRoutes } from "./routes/transaction-routes.js";
import { pubsubRoutes } from "./routes/pubsub-routes.js";
import { subscribeRoutes } from "./routes/subscribe-routes.js";
import { documentRoute, rootRoute } from "./routes/service-routes.js";
import { HTTPException } from "hono/http-exception";

export function createApp() {
  const app = new DescribedRoutes();
  registerSecurity(app);
  app.use("/v1/*", requireToken);
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
  // Built on first request: by then every route below is registered.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  return (
    app
      .openapi(rootRoute, (c) => c.json({ service: "edge-contracts", api: "v1" } as const, 200))
      .route("/v1/code", codeRoutes)
      .route("/v1/contracts", contractRoutes)
      .route("/v1/contracts", stateRoutes)
      .route("/v1/contracts", executionRoutes)
      .route("/v1/contracts", storageRoutes)
      // Before the lease routes: their /:leaseId would take "arena".
      .route("/v1/contracts", arenaRoutes)
      .route("/v1/contracts", leaseRoutes)
      .route("/v1/contracts", filesRoutes)
      .route("/v1/contracts", pubsubRoutes)
      .route("/v1/contracts", subscribeRoutes)
      .route("/v1/transactions", transactionRoutes)
      .openapi(documentRoute, (c) => c.json((document ??= app.getOpenAPI31Document(DOCUMENT_INFO)), 200))
  );
}

/** The app's routes and their types: `hc<AppType>(baseUrl)` is a typed client. */
export type AppType = ReturnType<typeof createApp>;
