// One error family for the whole platform: a stable `code` that clients and
// our own code classify by (never by message text) and the HTTP status it maps to.

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  INVALID_ID: 400,
  EMPTY_BODY: 400,
  NOT_WASM: 400,
  INVALID_WASM: 400,
  INCOMPLETE_BODY: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CODE_NOT_FOUND: 404,
  CONTRACT_NOT_FOUND: 404,
  STATE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  LENGTH_REQUIRED: 411,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  READ_TOO_LARGE: 400,
  CONTRACT_REJECTED: 422,
  CONTRACT_TRAP: 422,
  CONTRACT_FAULT: 422,
  MEMORY_LIMIT: 422,
  CPU_LIMIT: 422,
  CONTRACT_ABI: 422,
  COMPONENT_INVALID: 422,
  WASM_FEATURE_UNSUPPORTED: 422,
  CONTRACT_OUT_OF_FUEL: 422,
  CONTRACT_STACK_EXHAUSTED: 422,
  CONTRACT_OUT_OF_MEMORY: 422,
  CONTRACT_DEADLINE: 504,
  SANDBOX_FAILED: 503,
  RELATED_UNRESOLVED: 409,
  RELATED_LIMIT: 422,
  LEASE_NOT_FOUND: 404,
  LEASE_EXPIRED: 410,
  LEASE_REVOKED: 410,
  LEASE_CAPACITY_EXCEEDED: 507,
  LEASE_OUT_OF_BOUNDS: 416,
  FILES_LIMIT: 422,
  FILES_INVALID_CHANGE: 500,
  CONFLICT: 409,
  CALL_LIMIT: 422,
  TRANSACTION_NOT_FOUND: 404,
  BLOCK_LIMIT: 507,
  SUBSCRIPTION_NOT_FOUND: 404,
  PUBLICATION_NOT_FOUND: 404,
  SUBSCRIPTION_LIMIT: 422,
  SUBSCRIBER_LIMIT: 429,
  UPGRADE_REQUIRED: 426,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class EdgeError extends Error {
  override readonly name = "EdgeError";
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromBody(body: ErrorBody): EdgeError {
    return new EdgeError(body.code, body.message, body.details ? { details: body.details } : {});
  }
}

// Durable Object RPC keeps an error's message but not its own properties, so
// DO methods return outcomes and the Worker turns failures back into EdgeErrors.
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

export async function toOutcome<T>(run: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof EdgeError) return { ok: false, error: error.toBody() };
    throw error;
  }
}

export function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw EdgeError.fromBody(outcome.error);
}
