// Builds the inclusion proof of a path (src/protocol/files-proof.ts) from the
// committed rows: per ancestor directory, the child's place among its entries
// and the sibling hashes of the entry tree, so a proof grows with log2 of a
// directory's size, not with its listing.
import { directoryTree, treePath, type MerkleHasherFactory } from "../../protocol/files-merkle.js";
import type { FilesProof, ProofLevel, ProofTarget } from "../../protocol/files-proof.js";
import { storedFileHash } from "./file-pages.js";
import { ancestorsOf, nameOf } from "./file-paths.js";
import type { FileRows, NodeRow } from "./file-rows.js";

function targetOf(
  rows: FileRows,
  newHasher: MerkleHasherFactory,
  path: string,
  node: NodeRow | null,
  holeLeaf: Uint8Array,
): ProofTarget {
  if (node?.kind === "file") {
    const { pagesRoot } = storedFileHash(rows, newHasher, node.id, node.size, holeLeaf);
    return { kind: "file", size: node.size, pagesRoot };
  }
  const children = rows.children(path);
  return {
    kind: "directory",
    count: children.length,
    entriesRoot: directoryTree(newHasher, children).entriesRoot,
  };
}

/** The proof of `path` ("" the root) under `root`, or null if no such node is committed. */
export function buildProof(
  rows: FileRows,
  newHasher: MerkleHasherFactory,
  path: string,
  root: Uint8Array,
  holeLeaf: Uint8Array,
): FilesProof | null {
  const node = path === "" ? null : rows.node(path);
  if (path !== "" && !node) return null;
  const levels: ProofLevel[] = [];
  let child = path;
  for (const dir of path === "" ? [] : ancestorsOf(path)) {
    const entries = rows.children(dir);
    const name = nameOf(child);
    const index = entries.findIndex((entry) => entry.name === name);
    if (index < 0) return null;
    const { leaves } = directoryTree(newHasher, entries);
    levels.push({ index, count: entries.length, siblings: treePath(newHasher, leaves, index) });
    child = dir;
  }
  return { path, root, target: targetOf(rows, newHasher, path, node, holeLeaf), levels };
}
