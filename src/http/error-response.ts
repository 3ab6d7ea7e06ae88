// Every failure leaves the API as `{ "error": { code, message, details? } }`.
import { HTTPException } from "hono/http-exception";
import { EdgeError, type ErrorCode } from "../errors.js";

const HTTP_EXCEPTION_CODES: Record<number, ErrorCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

export function toEdgeError(error: unknown): EdgeError {
  if (error instanceof EdgeError) return error;
  if (error instanceof HTTPException) {
    return new EdgeError(HTTP_EXCEPTION_CODES[error.status] ?? "BAD_REQUEST", error.message, {
      cause: error,
    });
  }
  return new EdgeError("INTERNAL", "internal error", { cause: error });
}

export function errorResponse(error: EdgeError): Response {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  const size = error.details?.size;
  if (error.code === "RANGE_NOT_SATISFIABLE" && typeof size === "number") {
    headers.set("content-range", `bytes */${size}`);
  }
  if (error.code === "UNAUTHORIZED") headers.set("www-authenticate", 'Bearer realm="edge-contracts"');
  return new Response(JSON.stringify({ error: error.toBody() }), { status: error.status, headers });
}
