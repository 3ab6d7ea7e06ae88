// What the lease routes and the default arena's routes share: the instance's
// LeaseApi, reads and writes of arena bytes (offset, bounded length, a
// Content-Length the upload must declare) and how they are described.
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import type { Env } from "../env.js";
import { EdgeError, unwrap, type ErrorCode, type Outcome } from "../errors.js";
import { binary, binaryRequest, errors, Integer, json, TOKEN } from "../http/openapi.js";
import { contentLength } from "../http/read-bounded.js";
import { nonNegativeInteger, readLength } from "../http/read-length.js";
import type { LeaseApi } from "../store/leases/lease-api.js";
import { instanceStub } from "./instance-stub.js";
import { sizedBody } from "../http/sized-body.js";

/** The instance's LeaseApi (CONTRACT_NOT_FOUND when there is no instance). */
export async function leaseApi(env: Env, id: string): Promise<LeaseApi> {
  const { stub } = instanceStub(env, id);
  return unwrap((await stub.leases()) as unknown as Outcome<LeaseApi>);
}

export type LeaseContext = Context<{ Bindings: Env }>;

/** An arena range as bytes: the length was bounded and the range checked before the stream began. */
export function bytesResponse(
  body: ReadableStream<Uint8Array>,
  length: number,
  sizeHeader: string,
  size: number,
) {
  return new Response(sizedBody(body, length), {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(length),
      [sizeHeader]: String(size),
    },
  });
}

export const offsetOf = (c: LeaseContext) => nonNegativeInteger("offset", c.req.query("offset"), 0);

/** Without a length: the rest of the arena, one page (MAX_READ_BYTES_PER_REQUEST) at most. */
export const lengthOf = (c: LeaseContext, arenaSize: number, offset: number) =>
  readLength(c.req.query("length"), Math.max(0, arenaSize - offset));

/** The upload a PUT bytes declares: its Content-Length, which it must have, and its `offset`. */
export function upload(c: LeaseContext, what: string): { offset: number; length: number } {
  const length = contentLength(c.req.header("content-length"));
  if (length === undefined)
    throw new EdgeError("LENGTH_REQUIRED", `PUT ${what} needs a Content-Length header`);
  return { offset: offsetOf(c), length };
}

export const textHeader = { schema: { type: "string" as const } };
export const readQuery = z.object({
  offset: Integer.optional().meta({ description: "default 0" }),
  length: Integer.optional().meta({ description: "default: the rest, one page (16 MiB) at most" }),
});
export const writeRequest = (what: string) => ({
  query: z.object({ offset: Integer.optional().meta({ description: "default 0" }) }),
  headers: z.object({ "content-length": z.string().meta({ description: "required" }) }),
  ...binaryRequest(`The bytes to write at offset into ${what}, each 64 KiB frame durable as it lands.`),
});

export const Written = z.object({ written: z.number().int() });

export const BASE_ERRORS = ["UNAUTHORIZED", "INVALID_ID", "CONTRACT_NOT_FOUND"] as const;
export const WRITE_ERRORS = ["LENGTH_REQUIRED", "INCOMPLETE_BODY", "LEASE_OUT_OF_BOUNDS"] as const;

/**
 * The GET and PUT of a bytes resource (a lease's, the default arena's): the
 * same query, upload and answers, under its own path, parameters, size header
 * and the errors its lookup can give.
 */
export function bytesRoutes<
  const Path extends string,
  Params extends z.ZodObject,
  const C extends ErrorCode,
>(spec: {
  path: Path;
  params: Params;
  /** As in "Write <what>'s bytes". */
  what: string;
  sizeHeader: string;
  errors: readonly C[];
}) {
  const read = createRoute({
    method: "get",
    path: spec.path,
    summary: `The bytes of ${spec.what}`,
    ...TOKEN,
    request: { params: spec.params, query: readQuery },
    responses: {
      200: {
        ...binary("the bytes"),
        headers: { [spec.sizeHeader]: { description: `the size of ${spec.what}`, ...textHeader } },
      },
      ...errors<C | "READ_TOO_LARGE" | "LEASE_OUT_OF_BOUNDS">(
        ...spec.errors,
        "READ_TOO_LARGE",
        "LEASE_OUT_OF_BOUNDS",
      ),
    },
  });
  const write = createRoute({
    method: "put",
    path: spec.path,
    summary: `Write the bytes of ${spec.what}`,
    ...TOKEN,
    request: { params: spec.params, ...writeRequest(spec.what) },
    responses: {
      200: json(Written, "bytes written"),
      ...errors<C | (typeof WRITE_ERRORS)[number]>(...spec.errors, ...WRITE_ERRORS),
    },
  });
  return { read, write };
}
