// The public view of a state version, as routes answer it and ETags carry it.
import { encodeId } from "../../identity/ids.js";
import type { StateVersion } from "./state-tables.js";

export interface VersionInfo {
  version: number;
  /** SHA-256 of the state bytes, base58 (BLAKE3 for versions committed before the change: treat it as opaque). */
  hash: string;
  size: number;
  createdAt: number;
}

export function versionInfo(version: StateVersion): VersionInfo {
  return {
    version: version.version,
    hash: encodeId(version.hash),
    size: version.size,
    createdAt: version.createdAt,
  };
}

export function etagOf(hash: string): string {
  return `"${hash}"`;
}
