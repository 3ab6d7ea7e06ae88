// The client's one error: every non-2xx answer carries the API's JSON envelope
// {error: {code, message, details}}, and callers classify by its stable code.
import type { ErrorCode } from "../errors.js";

export class EdgeApiError extends Error {
  override readonly name = "EdgeApiError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, status: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

interface Envelope {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/** Status codes that have no envelope of their own (304 aside, these come from outside the Worker). */
function fallbackCode(status: number): ErrorCode {
  if (status === 401) return "UNAUTHORIZED";
  if (status === 404) return "NOT_FOUND";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 416) return "RANGE_NOT_SATISFIABLE";
  if (status >= 400 && status < 500) return "BAD_REQUEST";
  return "INTERNAL";
}

/** What an error needs of an answer: fetch's Response and hono's ClientResponse both have it. */
export interface Answer {
  status: number;
  statusText: string;
  text(): Promise<string>;
}

/** The error a non-2xx answer stands for; a body that is not the envelope (a proxy's text) keeps its status. */
export async function apiError(response: Answer): Promise<EdgeApiError> {
  const text = await response.text().catch(() => "");
  let envelope: Envelope = {};
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch {
    // Not JSON: the runtime's own plain-text answers (see README "Error codes").
  }
  const error = envelope.error;
  const code = typeof error?.code === "string" ? (error.code as ErrorCode) : fallbackCode(response.status);
  const message = typeof error?.message === "string" ? error.message : text || response.statusText;
  const details =
    error?.details && typeof error.details === "object"
      ? (error.details as Record<string, unknown>)
      : undefined;
  return new EdgeApiError(code, response.status, message, details);
}
