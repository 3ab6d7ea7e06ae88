// The OpenAPI description of the routes (GET /v1/openapi.json) and the pieces
// the route modules describe themselves with: ids, binary bodies, the error
// body and the stable codes a route answers.
import { OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { Handler, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { Env } from "../env.js";
import { ERROR_STATUS, type ErrorCode } from "../errors.js";

export type AppEnv = { Bindings: Env };

/** A route's description, and where it is mounted when the document cannot say it (`*`). */
export type DescribedRoute = RouteConfig & { routingPath?: string };

type OpenApiMethod = OpenAPIHono<AppEnv>["openapi"];

/**
 * An OpenAPIHono that describes its routes and validates nothing: the handlers
 * parse their own inputs, so every refusal keeps the API's error shape and
 * order (an id is checked before a length, a JSON body's 415 and 400 come from
 * jsonBody), and no body is read by a validator: uploads stream to the DO.
 * `c.req.valid()` is therefore empty; the schemas are documentation and types.
 */
export class DescribedRoutes extends OpenAPIHono<AppEnv> {
  constructor() {
    super();
    const describeOnly = (route: DescribedRoute, handler: Handler<AppEnv>) => {
      const { middleware, hide, routingPath, ...described } = route;
      if (!hide) this.openAPIRegistry.registerPath(described);
      const path = routingPath ?? route.path.replaceAll(/\/{([^}]+)}/g, "/:$1");
      const before: MiddlewareHandler[] = middleware ? [middleware].flat() : [];
      this.on([route.method], [path], ...before, handler);
      return this;
    };
    // Same signature as the library's (so the route types still flow into AppType), no validators.
    this.openapi = describeOnly as unknown as OpenApiMethod;
  }
}

// ---- Schemas shared by the routes ----

/** A base58 BLAKE3 digest (code hash, instance id); malformed ones are 400 INVALID_ID. */
export const Id = z
  .string()
  .regex(/^[1-9A-HJ-NP-Za-km-z]+$/)
  .meta({ description: "32-byte BLAKE3 digest, base58 (Bitcoin alphabet)" });

export const idParams = z.object({ id: Id.meta({ description: "the contract instance id" }) });

/** A decimal query or header value the handler parses (400 when it is not one). */
export const Integer = z.string().regex(/^\d+$/);

export const Timestamp = z.number().int().meta({ description: "milliseconds since the Unix epoch" });

const BinarySchema = { type: "string", format: "binary" } as const;

/** Raw bytes, streamed both ways (never buffered into a validator). */
export const binary = (description: string) => ({
  description,
  content: { "application/octet-stream": { schema: { ...BinarySchema } } },
});

/** A JSON answer. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** A JSON request body: application/json, or no Content-Type at all (another type is 415). */
export const jsonRequest = <T extends z.ZodType>(schema: T, description: string) => ({
  body: {
    required: true,
    description: `${description} A body without Content-Type is read as JSON; another type is 415 UNSUPPORTED_MEDIA_TYPE.`,
    content: { "application/json": { schema } },
  },
});

/** A raw upload. */
export const binaryRequest = (description: string) => ({
  body: { required: true, ...binary(description) },
});

/** Every failure: a stable code, a message for people, details when useful. */
function errorBody(codes: [ErrorCode, ...ErrorCode[]]) {
  return z.object({
    error: z.object({
      code: z.enum(codes),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  });
}

type ErrorResponse = ReturnType<typeof json<ReturnType<typeof errorBody>>>;
type ErrorResponses<C extends ErrorCode> = { [K in C as (typeof ERROR_STATUS)[K]]: ErrorResponse };

/** The error answers a route documents, by status: each names its stable codes (and only those). */
export function errors<const C extends ErrorCode>(...codes: C[]): ErrorResponses<C> {
  const byStatus = new Map<number, [ErrorCode, ...ErrorCode[]]>();
  for (const code of codes) {
    const named = byStatus.get(ERROR_STATUS[code]);
    if (named) named.push(code);
    else byStatus.set(ERROR_STATUS[code], [code]);
  }
  const responses: Record<number, ErrorResponse> = {};
  for (const [status, named] of byStatus) {
    responses[status] = json(errorBody(named), named.map((code) => `\`${code}\``).join(", "));
  }
  return responses as ErrorResponses<C>;
}

/** What a route needs once API_TOKEN is set (README "Authentication"), and its 401. */
export const TOKEN = { security: [{ bearer: [] }] };

export const DOCUMENT_INFO = {
  openapi: "3.1.0",
  info: {
    title: "edge-contracts",
    version: "v1",
    description:
      "WebAssembly contracts at the edge: one Durable Object per contract instance. Errors are `{ error: { code, message, details? } }`.",
  },
};

/** Registers the bearer scheme the token routes name. */
export function registerSecurity(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "Authorization: Bearer <API_TOKEN> (READ_TOKEN also opens private reads)",
  });
}
