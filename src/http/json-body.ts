// A JSON request body: `application/json` (any parameters), or no Content-Type
// at all; any other type is 415 naming the expected one, text that is not JSON
// is 400, and a body that does not match its schema is 400 with the issues.
import type { z } from "zod";
import { EdgeError } from "../errors.js";
import { MAX_JSON_BODY_BYTES } from "../limits.js";
import { readBounded } from "./read-bounded.js";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const JSON_TYPE = /^application\/json\s*(;|$)/i;

export async function jsonBody<T>(
  request: { header(name: string): string | undefined; raw: Request },
  schema: z.ZodType<T>,
  expected: string,
): Promise<T> {
  const contentType = request.header("content-type")?.trim();
  if (contentType && !JSON_TYPE.test(contentType)) {
    throw new EdgeError("UNSUPPORTED_MEDIA_TYPE", `send the body as application/json: ${expected}`, {
      details: { contentType: contentType.slice(0, 100), expected: "application/json" },
    });
  }
  let value: unknown;
  try {
    // readBounded's own errors (too large, cut short) pass through; only a parse failure is "not JSON".
    value = JSON.parse(utf8.decode(await readBounded(request.raw.body, MAX_JSON_BODY_BYTES, "JSON body")));
  } catch (cause) {
    if (cause instanceof EdgeError) throw cause;
    throw new EdgeError("BAD_REQUEST", `the body is not valid JSON; expected ${expected}`, { cause });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new EdgeError("BAD_REQUEST", `body must be JSON ${expected}`, {
      details: { issues: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) },
    });
  }
  return parsed.data;
}
