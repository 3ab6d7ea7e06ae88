// Who may do what, once the API_TOKEN secret is set (README "Authentication"):
// every write needs `Authorization: Bearer <API_TOKEN>`, and so do reads of an
// instance's private memory (its linear storage, its leases, its inbox and who
// subscribes to it). Code, instance
// metadata, state and summaries stay public: Freenet states are public by
// design. READ_TOKEN, when set, also opens those private reads. Tokens are
// compared in constant time (hono's timingSafeEqual: hash, then compare).
import type { MiddlewareHandler } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";
import type { Env } from "../env.js";
import { EdgeError } from "../errors.js";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const PRIVATE_READ = /^\/v1\/contracts\/[^/]+\/(storage|leases|inbox|subscriptions)(\/|$)/;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export const requireToken: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const token = c.env.API_TOKEN;
  if (!token) return next();
  const read = READ_METHODS.has(c.req.method);
  if (read && !PRIVATE_READ.test(c.req.path)) return next();
  const header = c.req.header("authorization");
  if (header === undefined) {
    throw new EdgeError("UNAUTHORIZED", "this route requires Authorization: Bearer <token>");
  }
  const presented = BEARER.exec(header)?.[1];
  if (presented === undefined) {
    throw new EdgeError("UNAUTHORIZED", "the Authorization header must be Bearer <token>");
  }
  const accepted = read && c.env.READ_TOKEN ? [token, c.env.READ_TOKEN] : [token];
  for (const candidate of accepted) {
    if (await timingSafeEqual(candidate, presented)) return next();
  }
  throw new EdgeError("UNAUTHORIZED", "invalid bearer token");
};
