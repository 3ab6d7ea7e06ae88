// The refusals a state upload can end in, shared by the route (declared size)
// and the store (what actually arrived).
import { EdgeError } from "../../errors.js";

export function stateTooLarge(limit: number, size: number): EdgeError {
  return new EdgeError("PAYLOAD_TOO_LARGE", `state exceeds the limit of ${limit} bytes`, {
    details: { limit, size },
  });
}

export function incomplete(received: number, expected: number): EdgeError {
  return new EdgeError(
    "INCOMPLETE_BODY",
    `the request body has ${received} bytes but Content-Length declared ${expected}`,
    { details: { received, expected } },
  );
}
