// A component instance's files: GET /v1/contracts/:id/files?dir= lists a
// directory, GET .../files/<path> streams a file (ETag, Range); `?proof=1`
// answers the inclusion proof instead. Every answer names the Merkle root.
import { Hono } from "hono";
import type { Env } from "../env.js";
import { EdgeError, unwrap } from "../errors.js";
import { parseEtagCondition } from "../http/conditional.js";
import { parseRange } from "../http/range.js";
import { fileEtag, type FilesAt } from "../contract/files-reads.js";
import { instanceStub } from "./instance-stub.js";

export const filesRoutes = new Hono<{ Bindings: Env }>();

function filesHeaders(at: FilesAt): Record<string, string> {
  return { "x-files-root": at.root, "x-files-version": String(at.version) };
}

/** A path as the store names it: no leading or trailing slash. */
function storePath(raw: string): string {
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch (cause) {
    throw new EdgeError("BAD_REQUEST", "the file path is not valid percent-encoded UTF-8", { cause });
  }
  return path.replace(/^\/+|\/+$/g, "");
}

filesRoutes.get("/:id/files", async (c) => {
  const { stub } = instanceStub(c.env, c.req.param("id"));
  const lookup = unwrap(
    await stub.files(storePath(c.req.query("dir") ?? ""), {
      entries: true,
      proof: c.req.query("proof") === "1",
    }),
  );
  return c.json(lookup, 200, filesHeaders(lookup));
});

filesRoutes.get("/:id/files/*", async (c) => {
  const { stub } = instanceStub(c.env, c.req.param("id"));
  const prefix = `/v1/contracts/${c.req.param("id")}/files/`;
  const path = storePath(c.req.path.startsWith(prefix) ? c.req.path.slice(prefix.length) : "");
  if (c.req.query("proof") === "1") {
    const lookup = unwrap(await stub.files(path, { entries: false, proof: true }));
    return c.json(lookup, 200, filesHeaders(lookup));
  }
  const range = parseRange(c.req.header("range"));
  const ifNoneMatch = parseEtagCondition(c.req.header("if-none-match"));
  const read = unwrap(
    await stub.readFile(path, { ...(range ? { range } : {}), ...(ifNoneMatch ? { ifNoneMatch } : {}) }),
  );
  const headers = new Headers({
    ...filesHeaders(read),
    etag: fileEtag(read.entry),
    "accept-ranges": "bytes",
    "content-type": "application/octet-stream",
  });
  if (read.notModified) return new Response(null, { status: 304, headers });
  const length = read.range ? read.range.end - read.range.start : read.entry.size;
  headers.set("content-length", String(length));
  if (read.range)
    headers.set("content-range", `bytes ${read.range.start}-${read.range.end - 1}/${read.entry.size}`);
  const body = read.body?.pipeThrough(new FixedLengthStream(length)) ?? null;
  return new Response(body, { status: read.range ? 206 : 200, headers });
});
