// A state database as it was before rows grew (issue 16): state_blobs without
// row_bytes, one current blob of 64 KiB rows. Node (node:sqlite) and workers
// (DO SQLite) tests both build it to check the migration keeps old blobs.
import { blake3 } from "@noble/hashes/blake3.js";

const OLD_ROW_BYTES = 64 * 1024;

export type Exec = (query: string, ...params: (number | Uint8Array)[]) => unknown;

/** Creates the old tables and commits `data` as version 1 (blob 1), hashed with BLAKE3 as it was then. */
export function writeLegacyState(exec: Exec, data: Uint8Array): void {
  exec(`CREATE TABLE state_blobs (
     blob_id INTEGER PRIMARY KEY AUTOINCREMENT,
     status TEXT NOT NULL CHECK (status IN ('staged', 'current', 'retired')),
     created_at INTEGER NOT NULL)`);
  exec(`CREATE TABLE state_frames (
     blob_id INTEGER NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (blob_id, idx))`);
  exec(`CREATE TABLE state_versions (
     version INTEGER PRIMARY KEY, blob_id INTEGER NOT NULL, size INTEGER NOT NULL,
     hash BLOB NOT NULL, created_at INTEGER NOT NULL)`);
  exec("INSERT INTO state_blobs (blob_id, status, created_at) VALUES (1, 'current', 5)");
  for (let idx = 0; idx * OLD_ROW_BYTES < data.length; idx++) {
    const row = data.slice(idx * OLD_ROW_BYTES, (idx + 1) * OLD_ROW_BYTES);
    exec("INSERT INTO state_frames (blob_id, idx, data) VALUES (1, ?, ?)", idx, row);
  }
  exec(
    "INSERT INTO state_versions (version, blob_id, size, hash, created_at) VALUES (1, 1, ?, ?, 5)",
    data.length,
    blake3(data),
  );
}
