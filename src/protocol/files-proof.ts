// Inclusion proofs of a path under a files root (docs/files-merkle.md), their
// JSON form for HTTP, and the check both the DO's tests and the client run.
// A proof carries, for each directory from the target's parent up to the
// root, where the child's entry sits among the directory's entries and the
// sibling hashes of its tree; names come from the path itself, so a proof for
// one path cannot pass for another.
import { hex } from "@scure/base";
import { bytesEqual } from "../bytes.js";
import type { FileKind } from "./files-port.js";
import {
  FileContentHasher,
  MERKLE_HASH_BYTES,
  compareNames,
  directoryHash,
  directoryTree,
  entryLeaf,
  fileHash,
  rootFromPath,
  type MerkleEntry,
  type MerkleHasherFactory,
} from "./files-merkle.js";

export interface ProofLevel {
  /** The child's place among the directory's byte-sorted entries, and how many there are. */
  index: number;
  count: number;
  /** The entry tree's sibling hashes, lowest first (treePath). */
  siblings: Uint8Array[];
}

export type ProofTarget =
  | { kind: "file"; size: number; pagesRoot: Uint8Array }
  | { kind: "directory"; count: number; entriesRoot: Uint8Array };

export interface FilesProof {
  /** "" is the root directory (then `levels` is empty). */
  path: string;
  /** The root the DO made the proof against; a verifier compares with the root it expects, not this. */
  root: Uint8Array;
  target: ProofTarget;
  /** levels[0] is the directory holding the target, the last one the root directory. */
  levels: ProofLevel[];
}

/** What the caller may add: a file's bytes or a directory's listing, checked against the proof. */
export interface ProofEvidence {
  content?: Uint8Array;
  entries?: readonly MerkleEntry[];
}

export type ProofCheck = { ok: true; hash: Uint8Array } | { ok: false; reason: string };

function pathSegments(path: string): string[] | null {
  if (path === "") return [];
  const segments = path.split("/");
  return segments.every((s) => s !== "" && s !== "." && s !== "..") ? segments : null;
}

function targetHash(
  newHasher: MerkleHasherFactory,
  target: ProofTarget,
  evidence: ProofEvidence,
): ProofCheck {
  if (target.kind === "file") {
    if (evidence.entries) return { ok: false, reason: "a listing was given for a file" };
    if (!evidence.content) return { ok: true, hash: fileHash(newHasher, target.size, target.pagesRoot) };
    const content = new FileContentHasher(newHasher).update(evidence.content).digest();
    if (content.size !== target.size || !bytesEqual(content.pagesRoot, target.pagesRoot)) {
      return { ok: false, reason: "the content does not match the proof" };
    }
    return { ok: true, hash: content.hash };
  }
  if (evidence.content) return { ok: false, reason: "content was given for a directory" };
  if (!evidence.entries)
    return { ok: true, hash: directoryHash(newHasher, target.count, target.entriesRoot) };
  const entries = evidence.entries;
  for (let i = 1; i < entries.length; i++) {
    if (compareNames((entries[i - 1] as MerkleEntry).name, (entries[i] as MerkleEntry).name) >= 0) {
      return { ok: false, reason: "the listing is not strictly byte-sorted" };
    }
  }
  const tree = directoryTree(newHasher, entries);
  if (entries.length !== target.count || !bytesEqual(tree.entriesRoot, target.entriesRoot)) {
    return { ok: false, reason: "the listing does not match the proof" };
  }
  return { ok: true, hash: tree.hash };
}

/** Checks that `proof` puts its path (with `evidence`, if given) under `expectedRoot`. */
export function checkFilesProof(
  newHasher: MerkleHasherFactory,
  proof: FilesProof,
  expectedRoot: Uint8Array,
  evidence: ProofEvidence = {},
): ProofCheck {
  const segments = pathSegments(proof.path);
  if (!segments) return { ok: false, reason: "malformed path" };
  if (segments.length !== proof.levels.length) return { ok: false, reason: "one level per path segment" };
  if (segments.length === 0 && proof.target.kind !== "directory") {
    return { ok: false, reason: "the root is a directory" };
  }
  const target = targetHash(newHasher, proof.target, evidence);
  if (!target.ok) return target;
  let hash = target.hash;
  let kind: FileKind = proof.target.kind;
  for (let level = 0; level < proof.levels.length; level++) {
    const { index, count, siblings } = proof.levels[level] as ProofLevel;
    const name = segments[segments.length - 1 - level] as string;
    const entriesRoot = rootFromPath(
      newHasher,
      entryLeaf(newHasher, name, kind, hash),
      index,
      count,
      siblings,
    );
    if (!entriesRoot) return { ok: false, reason: `level ${level} has a malformed tree path` };
    hash = directoryHash(newHasher, count, entriesRoot);
    kind = "directory";
  }
  if (!bytesEqual(hash, expectedRoot))
    return { ok: false, reason: "the proof does not lead to the expected root" };
  return target;
}

// JSON form (hex hashes), as HTTP serves it with ?proof=1.

export interface FilesProofJson {
  path: string;
  root: string;
  target:
    | { kind: "file"; size: number; pagesRoot: string }
    | { kind: "directory"; count: number; entriesRoot: string };
  levels: Array<{ index: number; count: number; siblings: string[] }>;
}

export const toHex = (bytes: Uint8Array): string => hex.encode(bytes);

function hashFromHex(value: unknown): Uint8Array {
  if (typeof value !== "string" || !/^[0-9a-f]*$/.test(value) || value.length !== MERKLE_HASH_BYTES * 2) {
    throw new TypeError("a proof hash must be 64 lowercase hex digits");
  }
  return hex.decode(value);
}

function countOf(value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError("a proof count must be a non-negative integer");
  }
  return value;
}

export function filesProofToJson(proof: FilesProof): FilesProofJson {
  const target = proof.target;
  return {
    path: proof.path,
    root: toHex(proof.root),
    target:
      target.kind === "file"
        ? { kind: "file", size: target.size, pagesRoot: toHex(target.pagesRoot) }
        : { kind: "directory", count: target.count, entriesRoot: toHex(target.entriesRoot) },
    levels: proof.levels.map((level) => ({
      index: level.index,
      count: level.count,
      siblings: level.siblings.map(toHex),
    })),
  };
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null) throw new TypeError("a proof part must be an object");
  return value as Record<string, unknown>;
}

/** Parses a proof from untrusted JSON; throws TypeError on anything malformed. */
export function filesProofFromJson(json: unknown): FilesProof {
  const top = record(json);
  if (typeof top.path !== "string") throw new TypeError("a proof's path must be a string");
  const target = record(top.target);
  if (!Array.isArray(top.levels)) throw new TypeError("a proof's levels must be an array");
  return {
    path: top.path,
    root: hashFromHex(top.root),
    target:
      target.kind === "file"
        ? { kind: "file", size: countOf(target.size), pagesRoot: hashFromHex(target.pagesRoot) }
        : target.kind === "directory"
          ? { kind: "directory", count: countOf(target.count), entriesRoot: hashFromHex(target.entriesRoot) }
          : (() => {
              throw new TypeError("a proof target is a file or a directory");
            })(),
    levels: top.levels.map((raw) => {
      const level = record(raw);
      if (!Array.isArray(level.siblings)) throw new TypeError("a proof level's siblings must be an array");
      return {
        index: countOf(level.index),
        count: countOf(level.count),
        siblings: level.siblings.map(hashFromHex),
      };
    }),
  };
}
