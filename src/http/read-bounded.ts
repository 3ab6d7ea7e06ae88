// Reads a whole body that is small by contract (code, JSON) without ever
// holding more than `limit` bytes: an oversize body fails as soon as it shows.
import { EdgeError } from "../errors.js";

export async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  what: string,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) throw tooLarge(what, limit);
      parts.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof EdgeError) throw error;
    throw new EdgeError("INCOMPLETE_BODY", `the ${what} upload was aborted before it ended`, {
      cause: error,
    });
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/**
 * A request's small body. With a Content-Length the body is exactly that long (HTTP framing), so
 * within the limit it is read in one native call, and over it refused before a byte is read; a
 * chunked body is read bounded.
 */
export async function readRequestBounded(request: Request, limit: number, what: string): Promise<Uint8Array> {
  const declared = contentLength(request.headers.get("content-length") ?? undefined);
  if (declared === undefined || !request.body) return readBounded(request.body, limit, what);
  if (declared > limit) {
    await request.body.cancel().catch(() => {});
    throw tooLarge(what, limit);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await request.arrayBuffer());
  } catch (cause) {
    throw new EdgeError("INCOMPLETE_BODY", `the ${what} upload was aborted before it ended`, { cause });
  }
  if (bytes.length > limit) throw tooLarge(what, limit);
  return bytes;
}

export function tooLarge(what: string, limit: number): EdgeError {
  return new EdgeError("PAYLOAD_TOO_LARGE", `${what} exceeds the limit of ${limit} bytes`, {
    details: { limit },
  });
}

/** Parses Content-Length; undefined when absent, BAD_REQUEST when malformed. */
export function contentLength(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (!/^\d+$/.test(header.trim())) {
    throw new EdgeError("BAD_REQUEST", "Content-Length is not a non-negative integer", {
      details: { contentLength: header },
    });
  }
  return Number(header.trim());
}
