// The row_bytes migration on DO SQLite itself (node tests cover the layouts in
// depth): a database from before rows grew gains the column, its 64 KiB-row
// blob still reads, and a new upload next to it is stored in 1 MiB rows and
// hashed with the native SHA-256.
import { env, runInDurableObject } from "cloudflare:test";
import { blake3 } from "@noble/hashes/blake3.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { newStateDigest } from "../../src/hashing/state-digest.js";
import { durableObjectSql } from "../../src/store/sql/durable-object-sql.js";
import { StateStore } from "../../src/store/state/state-store.js";
import { StateTables } from "../../src/store/state/state-tables.js";
import { drain, equalBytes, patterned, streamOf } from "../support/bytes.js";
import { writeLegacyState } from "../support/legacy-state.js";

const KiB = 1024;
const MiB = 1024 * KiB;

describe("state rows on DO SQLite", () => {
  it("migrates a pre-row_bytes database: old 64 KiB rows read, new states go in 1 MiB rows", async () => {
    const stub = env.CONTRACTS.get(env.CONTRACTS.idFromName(`legacy-rows-${Math.random()}`));
    await runInDurableObject(stub, async (_instance, state) => {
      const raw = state.storage.sql;
      const old = patterned(MiB + 3 * 64 * KiB + 5, 7);
      writeLegacyState((query, ...params) => raw.exec(query, ...params), old);

      const sql = durableObjectSql(state.storage);
      const store = new StateStore(new StateTables(sql), { now: () => Date.now() }, newStateDigest, {
        maxStateBytes: 8 * MiB,
      });
      // The migration is guarded: opening the tables again adds nothing and fails nothing.
      expect(new StateTables(sql).rowBytesOf(1)).toBe(64 * KiB);
      const head = store.head()!;
      expect(head.hash).toEqual(blake3(old));
      const pages = store.pin(head);
      const at = MiB - 10;
      expect(equalBytes(pages.read(at, 100_000), old.subarray(at, at + 100_000))).toBe(true);
      pages.release();
      expect(equalBytes(await drain(store.read(head, { start: 0, end: head.size })), old)).toBe(true);

      const fresh = patterned(2 * MiB + 1, 8);
      const version = await store.put(streamOf([fresh.subarray(0, 70_000), fresh.subarray(70_000)]));
      expect(version.hash).toEqual(sha256(fresh));
      const blobs = raw.exec("SELECT row_bytes FROM state_blobs ORDER BY blob_id").toArray();
      expect(blobs).toEqual([{ row_bytes: MiB }]);
      expect(raw.exec("SELECT COUNT(*) AS n FROM state_frames").one().n).toBe(3);
      const range = { start: MiB - 1, end: 2 * MiB + 1 };
      expect(
        equalBytes(await drain(store.read(version, range)), fresh.subarray(range.start, range.end)),
      ).toBe(true);
    });
  });
});
