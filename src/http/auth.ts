// Mutating routes need `Authorization: Bearer <API_TOKEN>` once the secret is
// set; hono's bearerAuth compares tokens in constant time (hash, then compare).
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import type { Env } from "../env.js";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const unauthorized = (message: string) => ({ error: { code: "UNAUTHORIZED", message } });

export const requireTokenForWrites: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const token = c.env.API_TOKEN;
  if (!token || READ_METHODS.has(c.req.method)) return next();
  return bearerAuth({
    token,
    noAuthenticationHeader: { message: unauthorized("this route requires Authorization: Bearer <token>") },
    invalidAuthenticationHeader: { message: unauthorized("malformed Authorization header") },
    invalidToken: { message: unauthorized("invalid bearer token") },
    // bearerAuth is typed for hono's default Env; it reads only the request.
  })(c as unknown as Context, next);
};
