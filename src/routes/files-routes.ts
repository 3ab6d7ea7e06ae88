// A component instance's files: GET /v1/contracts/:id/files?dir= lists a
// directory, GET .../files/<path> streams a file (ETag, Range); `?proof=1`
// answers the inclusion proof instead. Every answer names the Merkle root.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { EdgeError, unwrap } from "../errors.js";
import { parseEtagCondition } from "../http/conditional.js";
import { binary, DescribedRoutes, errors, idParams, json, TOKEN } from "../http/openapi.js";
import { parseRange } from "../http/range.js";
import { fileEtag, type FilesAt } from "../contract/files-reads.js";
import { instanceStub } from "./instance-stub.js";
import { sizedBody } from "../http/sized-body.js";

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

const Entry = z.object({
  path: z.string(),
  name: z.string(),
  kind: z.enum(["file", "directory"]),
  size: z.number().int(),
  hash: z.string().meta({ description: "the node's Merkle hash, hex" }),
});

const Proof = z.object({
  path: z.string(),
  root: z.string(),
  target: z.union([
    z.object({ kind: z.literal("file"), size: z.number().int(), pagesRoot: z.string() }),
    z.object({ kind: z.literal("directory"), count: z.number().int(), entriesRoot: z.string() }),
  ]),
  levels: z.array(
    z.object({ index: z.number().int(), count: z.number().int(), siblings: z.array(z.string()) }),
  ),
});

const Lookup = z.object({
  root: z.string().meta({ description: "the Merkle root it was read at, hex" }),
  version: z.number().int(),
  entry: Entry,
  entries: z.array(Entry).optional().meta({ description: "a directory's children, byte-sorted" }),
  proof: Proof.optional(),
});

const text = { schema: { type: "string" as const } };
const filesDoc = {
  "x-files-root": { description: "the Merkle root it was read at", ...text },
  "x-files-version": { description: "the files' version", ...text },
};
const proofQuery = z.object({
  proof: z.literal("1").optional().meta({ description: "1: add the inclusion proof" }),
});
const FILES_ERRORS = [
  "UNAUTHORIZED",
  "INVALID_ID",
  "BAD_REQUEST",
  "CONTRACT_NOT_FOUND",
  "NOT_FOUND",
] as const;

const getDirectory = createRoute({
  method: "get",
  path: "/{id}/files",
  summary: "A component's directory (and its proof)",
  ...TOKEN,
  request: { params: idParams, query: proofQuery.extend({ dir: z.string().optional() }) },
  responses: {
    200: { ...json(Lookup, "the node and its listing"), headers: filesDoc },
    ...errors(...FILES_ERRORS),
  },
});

const getFile = createRoute({
  method: "get",
  path: "/{id}/files/{path}",
  // `{path}` may hold slashes: hono's `*` takes them, the document names it.
  routingPath: "/:id/files/*",
  summary: "A file's bytes (ETag: its Merkle hash; Range), or with ?proof=1 its inclusion proof",
  ...TOKEN,
  request: {
    params: idParams.extend({ path: z.string().meta({ description: "the file's path; may contain /" }) }),
    query: proofQuery,
    headers: z.object({ range: z.string().optional(), "if-none-match": z.string().optional() }),
  },
  responses: {
    200: {
      description: "the file's bytes, or with ?proof=1 the node and its proof",
      content: { ...binary("").content, ...json(Lookup, "").content },
      headers: filesDoc,
    },
    206: { ...binary("the requested range (Content-Range)"), headers: filesDoc },
    304: { description: "not modified (If-None-Match)", headers: filesDoc },
    ...errors(...FILES_ERRORS, "RANGE_NOT_SATISFIABLE"),
  },
});

export const filesRoutes = new DescribedRoutes()
  .openapi(getDirectory, async (c) => {
    const { stub } = instanceStub(c.env, c.req.param("id"));
    const lookup = unwrap(
      await stub.files(storePath(c.req.query("dir") ?? ""), {
        entries: true,
        proof: c.req.query("proof") === "1",
      }),
    );
    return c.json(lookup, 200, filesHeaders(lookup));
  })
  .openapi(getFile, async (c) => {
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
    return new Response(sizedBody(read.body, length), { status: read.range ? 206 : 200, headers });
  });
