// Commits one call's FilesChanges (call inside the transaction that commits the
// call's outcome). Everything is validated against a pending node table
// before the first write, so a refused commit leaves even a store without
// transactions untouched; then pages move into place, the hashes of changed
// files and of their ancestor directories are recomputed bottom-up, and only
// rows that differ are written.
import { EdgeError } from "../../errors.js";
import type { ContentChange, FilesChanges, FilesLimits } from "../../protocol/files-port.js";
import { directoryTree, type MerkleHasherFactory } from "../../protocol/files-merkle.js";
import { applyContent, storedFileHash, type PagesWritten } from "./file-pages.js";
import { ancestorsOf, checkPath, depthOf, nameOf, parentOf } from "./file-paths.js";
import type { FileRows, FilesMeta, NodeRow } from "./file-rows.js";
import { NodeOverlay } from "./node-overlay.js";

export interface CommitResult {
  root: Uint8Array;
  version: number;
  /** Page bytes written plus the 32-byte hash of every node row written. */
  bytesWritten: number;
}

export interface CommitContext {
  rows: FileRows;
  newHasher: MerkleHasherFactory;
  limits: FilesLimits;
  /** pageLeaf of an empty page: what a hole hashes as. */
  holeLeaf: Uint8Array;
  meta: FilesMeta;
}

const HASH_BYTES = 32;

function invalid(message: string, details?: Record<string, unknown>): EdgeError {
  return new EdgeError("FILES_INVALID_CHANGE", message, details ? { details } : {});
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Refuses growth past a limit; a store already past a lowered limit may still shrink. */
function checkLimit(name: keyof FilesLimits, before: number, after: number, max: number): void {
  if (after > max && after > before) {
    throw new EdgeError("FILES_LIMIT", `files ${name} ${max} exceeded (${after})`, {
      details: { limit: name, max, value: after },
    });
  }
}

function applyNodes(context: CommitContext, changes: FilesChanges, overlay: NodeOverlay): void {
  const { limits } = context;
  for (const change of changes.nodes) {
    checkPath(change.path, limits.maxPathBytes);
    const node = change.node;
    if (node === null) {
      overlay.set(change.path, null);
      continue;
    }
    if (node.kind !== "file" && node.kind !== "directory") throw invalid(`unknown kind at ${change.path}`);
    if (!isCount(node.id) || node.id === 0 || node.id >= changes.nextId) {
      throw invalid(`inode id ${node.id} at ${change.path} is not in [1, nextId)`);
    }
    if (!isCount(node.size) || (node.kind === "directory" && node.size !== 0)) {
      throw invalid(`bad size ${node.size} at ${change.path}`);
    }
    if (node.kind === "file") checkLimit("maxFileBytes", 0, node.size, limits.maxFileBytes);
    overlay.set(change.path, {
      path: change.path,
      parent: parentOf(change.path),
      name: nameOf(change.path),
      kind: node.kind,
      id: node.id,
      size: node.size,
      hash: new Uint8Array(0),
    });
  }
  for (const path of overlay.touched()) {
    const node = overlay.get(path);
    if (node) {
      const parent = node.parent === "" ? null : overlay.get(node.parent);
      if (node.parent !== "" && parent?.kind !== "directory") {
        throw invalid(`the parent of ${path} is not a directory`);
      }
      if (overlay.nodesById(node.id).length !== 1)
        throw invalid(`inode ${node.id} is held by more than one path`);
    }
    if (node?.kind !== "directory" && overlay.children(path).length > 0) {
      throw invalid(`${path} has children but is no longer a directory`);
    }
  }
}

/** The content changes to apply: the call's, plus any file whose size changed without one. */
function contentsToApply(changes: FilesChanges, overlay: NodeOverlay, rows: FileRows): ContentChange[] {
  const byId = new Map<number, ContentChange>();
  for (const change of changes.contents) {
    if (!isCount(change.id) || !isCount(change.size) || !isCount(change.keepBelow)) {
      throw invalid("a content change needs integer id, size and keepBelow");
    }
    if (byId.has(change.id)) throw invalid(`two content changes for inode ${change.id}`);
    const holders = overlay.nodesById(change.id);
    const [holder] = holders;
    if (holders.length !== 1 || holder?.kind !== "file" || holder.size !== change.size) {
      throw invalid(`content change for inode ${change.id} matches no file of size ${change.size}`);
    }
    byId.set(change.id, change);
  }
  for (const path of overlay.touched()) {
    const node = overlay.get(path);
    if (node?.kind !== "file" || byId.has(node.id)) continue;
    const before = rows.nodesById(node.id).find((row) => row.kind === "file");
    if (!before || before.size !== node.size) {
      byId.set(node.id, { id: node.id, size: node.size, keepBelow: Number.POSITIVE_INFINITY });
    }
  }
  return [...byId.values()];
}

/** Inode ids whose pages go: the call's `removed`, plus files no path holds any more. */
function idsToRemove(changes: FilesChanges, overlay: NodeOverlay): Set<number> {
  const removed = new Set<number>();
  for (const id of changes.removed) {
    if (!isCount(id) || id === 0) throw invalid(`cannot remove inode ${id}`);
    if (overlay.nodesById(id).length > 0) throw invalid(`removed inode ${id} is still held by a path`);
    removed.add(id);
  }
  for (const path of overlay.touched()) {
    const before = overlay.committed(path);
    if (before?.kind === "file" && !overlay.nodesById(before.id).some((n) => n.kind === "file")) {
      removed.add(before.id);
    }
  }
  return removed;
}

function nextCounts(overlay: NodeOverlay, meta: FilesMeta, limits: FilesLimits): FilesMeta {
  let { nodeCount, fileCount, totalBytes } = meta;
  for (const path of overlay.touched()) {
    const before = overlay.committed(path);
    const after = overlay.get(path);
    nodeCount += (after ? 1 : 0) - (before ? 1 : 0);
    fileCount += (after?.kind === "file" ? 1 : 0) - (before?.kind === "file" ? 1 : 0);
    totalBytes += (after?.kind === "file" ? after.size : 0) - (before?.kind === "file" ? before.size : 0);
  }
  checkLimit("maxNodes", meta.nodeCount, nodeCount, limits.maxNodes);
  checkLimit("maxTotalBytes", meta.totalBytes, totalBytes, limits.maxTotalBytes);
  return { ...meta, nodeCount, fileCount, totalBytes };
}

export function commitChanges(context: CommitContext, changes: FilesChanges, atMs: number): CommitResult {
  const { rows, newHasher, meta } = context;
  if (typeof changes.stagingKey !== "string") throw invalid("a commit needs its staging key");
  if (!isCount(changes.nextId) || changes.nextId < meta.nextId) {
    throw invalid(`nextId ${changes.nextId} is below the committed ${meta.nextId}`);
  }
  if (!isCount(atMs)) throw invalid("the commit time must be a non-negative integer of ms");

  const overlay = new NodeOverlay(rows);
  applyNodes(context, changes, overlay);
  const contents = contentsToApply(changes, overlay, rows);
  const removed = idsToRemove(changes, overlay);
  const counted = nextCounts(overlay, meta, context.limits);

  // Validated: from here on, only writes.
  const pages: PagesWritten = { rows: 0, bytes: 0 };
  for (const id of removed) rows.deletePagesFrom(id, 0);
  for (const change of contents) applyContent(rows, newHasher, changes.stagingKey, change, pages);

  const dirtyDirs = new Set<string>();
  const changed = new Set(contents.map((change) => change.id));
  for (const path of overlay.touched()) {
    const node = overlay.get(path);
    dirtyDirs.add(parentOf(path));
    if (node?.kind === "directory") dirtyDirs.add(path);
    if (node?.kind === "file" && !changed.has(node.id)) {
      // A file that only moved keeps its hash, which depends on nothing but its bytes.
      const before = rows.nodesById(node.id).find((row) => row.kind === "file");
      overlay.set(path, { ...node, hash: (before as NodeRow).hash });
    }
  }
  for (const change of contents) {
    const node = overlay.nodesById(change.id)[0] as NodeRow;
    const { hash } = storedFileHash(rows, newHasher, node.id, node.size, context.holeLeaf);
    overlay.set(node.path, { ...node, hash });
    dirtyDirs.add(node.parent);
  }
  // Iterating a Set visits what is added meanwhile: ancestors of ancestors come for free.
  for (const dir of dirtyDirs) for (const ancestor of ancestorsOf(dir)) dirtyDirs.add(ancestor);

  let root = meta.root;
  for (const dir of [...dirtyDirs].toSorted((a, b) => depthOf(b) - depthOf(a))) {
    const node = dir === "" ? null : overlay.get(dir);
    if (dir !== "" && node?.kind !== "directory") continue;
    const { hash } = directoryTree(newHasher, overlay.children(dir));
    if (node) overlay.set(dir, { ...node, hash });
    else root = hash;
  }

  const nodesWritten = overlay.flush();
  const version = meta.version + 1;
  rows.putMeta({ ...counted, version, committedAtMs: atMs, nextId: changes.nextId, root });
  rows.clearStaged(changes.stagingKey);
  return { root, version, bytesWritten: pages.bytes + nodesWritten * HASH_BYTES };
}
