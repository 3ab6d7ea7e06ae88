// The client's check of a files proof (GET .../files/*path?proof=1): pure JS
// BLAKE3 from @noble/hashes over the same definitions the DO hashes with
// (src/protocol/files-merkle.ts), so a client trusts only the root it got
// elsewhere (x-files-root from a source it trusts, or a root it remembered).
import { blake3 } from "@noble/hashes/blake3.js";
import type { MerkleEntry, MerkleHasherFactory } from "../protocol/files-merkle.js";
import {
  checkFilesProof,
  filesProofFromJson,
  type FilesProof,
  type FilesProofJson,
  type ProofCheck,
} from "../protocol/files-proof.js";

export const nobleHasher: MerkleHasherFactory = () => blake3.create();

function parsed(proof: FilesProof | FilesProofJson): FilesProof | null {
  if (proof.root instanceof Uint8Array) return proof as FilesProof;
  try {
    return filesProofFromJson(proof);
  } catch {
    return null;
  }
}

/**
 * Checks that `proof` (as parsed, or its JSON form) puts its path under
 * `expectedRoot`; given `content`, also that these are exactly the file's
 * bytes. The answer says why a proof fails.
 */
export function verifyFileProof(
  proof: FilesProof | FilesProofJson,
  expectedRoot: Uint8Array,
  content?: Uint8Array,
): ProofCheck {
  const parsedProof = parsed(proof);
  if (!parsedProof) return { ok: false, reason: "malformed proof" };
  return checkFilesProof(nobleHasher, parsedProof, expectedRoot, content ? { content } : {});
}

/** Checks a directory's proof and, given `entries` (a ?dir= listing), that the listing is the whole directory. */
export function verifyDirectoryProof(
  proof: FilesProof | FilesProofJson,
  expectedRoot: Uint8Array,
  entries?: readonly MerkleEntry[],
): ProofCheck {
  const parsedProof = parsed(proof);
  if (!parsedProof) return { ok: false, reason: "malformed proof" };
  if (parsedProof.target.kind !== "directory") return { ok: false, reason: "not a directory proof" };
  return checkFilesProof(nobleHasher, parsedProof, expectedRoot, entries ? { entries } : {});
}
