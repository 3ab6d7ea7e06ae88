// The HTTP routes' reads of an instance's committed files: a node with its
// listing or proof, and a file's bytes by range. Every answer names the root
// and version it was read at, so a client can check it against a proof.
import { chunkStream } from "../bytes.js";
import { EdgeError } from "../errors.js";
import type { EtagCondition } from "../http/conditional.js";
import { isNotModified } from "../http/conditional.js";
import { resolveRange, type ByteRange, type RangeRequest } from "../http/range.js";
import type { FileEntry, FileKind } from "../protocol/files-port.js";
import { filesProofToJson, toHex, type FilesProofJson } from "../protocol/files-proof.js";
import type { FileStore } from "../store/files/file-store.js";

export interface FileEntryJson {
  path: string;
  name: string;
  kind: FileKind;
  size: number;
  /** The node's Merkle hash, hex. */
  hash: string;
}

export interface FilesAt {
  /** Merkle root, hex. */
  root: string;
  version: number;
}

export interface FilesLookup extends FilesAt {
  entry: FileEntryJson;
  /** A directory's children, byte-sorted. */
  entries?: FileEntryJson[];
  proof?: FilesProofJson;
}

export interface FileRead extends FilesAt {
  entry: FileEntryJson;
  notModified: boolean;
  range?: ByteRange;
  body: ReadableStream<Uint8Array> | null;
}

export function filesAt(store: FileStore): FilesAt {
  const { root, version } = store.snapshot();
  return { root: toHex(root), version };
}

export function lookupFiles(
  store: FileStore,
  path: string,
  want: { entries: boolean; proof: boolean },
): FilesLookup {
  const entry = store.entry(path) ?? notFound(path);
  const lookup: FilesLookup = { ...filesAt(store), entry: entryJson(entry) };
  if (want.entries && entry.kind === "directory") {
    lookup.entries = (store.list(path) ?? []).map(entryJson);
  }
  if (want.proof) lookup.proof = filesProofToJson(store.proof(path) ?? notFound(path));
  return lookup;
}

/** The file's ETag: its Merkle hash, which only its content and size decide. */
export function fileEtag(entry: FileEntryJson): string {
  return `"${entry.hash}"`;
}

export function readFile(
  store: FileStore,
  path: string,
  request: { range?: RangeRequest; ifNoneMatch?: EtagCondition },
): FileRead {
  const found = store.entry(path) ?? notFound(path);
  if (found.kind !== "file") {
    throw new EdgeError("BAD_REQUEST", `${JSON.stringify(path)} is a directory; list it with ?dir=`);
  }
  const entry = entryJson(found);
  const at = filesAt(store);
  if (isNotModified(request.ifNoneMatch, fileEtag(entry)))
    return { ...at, entry, notModified: true, body: null };
  const range = request.range ? resolveRange(request.range, found.size) : undefined;
  const start = range?.start ?? 0;
  const end = range?.end ?? found.size;
  const body = chunkStream(store.chunks(found, start, end - start));
  return { ...at, entry, notModified: false, ...(range ? { range } : {}), body };
}

function entryJson(entry: FileEntry): FileEntryJson {
  const name = entry.path.slice(entry.path.lastIndexOf("/") + 1);
  return { path: entry.path, name, kind: entry.kind, size: entry.size, hash: toHex(entry.hash) };
}

function notFound(path: string): never {
  throw new EdgeError("NOT_FOUND", `no file or directory at ${JSON.stringify(path)}`, { details: { path } });
}
