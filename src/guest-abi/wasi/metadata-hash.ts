// wasi:filesystem metadata-hash. The preview1 adapter calls it on every stat
// (its low half becomes st_ino), so it must be cheap and tell files apart: it
// hashes the volume, the inode id and the node's content identity. For a node
// the call has not changed that is the committed entry's Merkle hash (a
// content hash); for one it changed, its size and modification count in this
// call (hashing the content itself would read the whole file on every stat).
// Deterministic, and it changes whenever the content does.
import { blake3 } from "@noble/hashes/blake3.js";
import type { Inode } from "./inode.js";

const DOMAIN = new TextEncoder().encode("edge-contracts wasi metadata-hash v1");

export interface MetadataHashValue {
  lower: bigint;
  upper: bigint;
}

export function metadataHash(volumeTag: number, inode: Inode): MetadataHashValue {
  const fields = new DataView(new ArrayBuffer(32));
  fields.setUint32(0, volumeTag, true);
  fields.setFloat64(8, inode.id, true);
  fields.setFloat64(16, inode.changed ? inode.size : -1, true);
  fields.setFloat64(24, inode.changed ? inode.modifications : -1, true);
  const hasher = blake3.create({ dkLen: 16 }).update(DOMAIN).update(new Uint8Array(fields.buffer));
  if (inode.committedHash !== null) hasher.update(inode.committedHash);
  const digest = new DataView(hasher.digest().buffer);
  return { lower: digest.getBigUint64(0, true), upper: digest.getBigUint64(8, true) };
}
