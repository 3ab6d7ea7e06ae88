// The state store's 1 MiB rows under 64 KiB frames: bytes round trip across
// row boundaries for any size, chunking and range, blobs written in the old
// 64 KiB rows still read after the schema gains row_bytes, and page reads
// cost one SELECT per row however the guest refills.
import { blake3 } from "@noble/hashes/blake3.js";
import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nobleStateDigest } from "../../src/hashing/state-digest.js";
import { FRAME_BYTES, ROW_BYTES } from "../../src/limits.js";
import type { SqlPort } from "../../src/store/sql/sql-port.js";
import { StateStore } from "../../src/store/state/state-store.js";
import { StateTables } from "../../src/store/state/state-tables.js";
import { nodeSql } from "./support/node-sql.js";
import { cutAt, drain, equalBytes, patterned, streamOf } from "../support/bytes.js";
import { writeLegacyState } from "../support/legacy-state.js";

const MAX = 3 * ROW_BYTES;
// Each run hashes and stores up to 3 MiB in pure JS.
const SLOW = 60_000;

/** A byte stream, so put() takes its BYOB path (node has no readAtLeast: read(view) until full). */
function byteStreamOf(all: Uint8Array[]): ReadableStream<Uint8Array> {
  // A byte stream refuses to enqueue an empty chunk (an empty body is no chunks at all).
  const chunks = all.filter((chunk) => chunk.length > 0);
  let index = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) {
        controller.close();
        // A pending BYOB read settles (done) only once its request is answered.
        controller.byobRequest?.respond(0);
      } else controller.enqueue(chunk.slice());
    },
  });
}

function storeOver(sql: SqlPort) {
  let now = 1_000;
  return new StateStore(new StateTables(sql), { now: () => now++ }, nobleStateDigest, {
    maxStateBytes: 4 * ROW_BYTES,
  });
}

function countingSelects(sql: SqlPort): { sql: SqlPort; selects: () => number } {
  let selects = 0;
  return {
    sql: {
      exec: (query, ...params) => {
        if (query.startsWith("SELECT data FROM state_frames")) selects++;
        return sql.exec(query, ...params);
      },
      transaction: (fn) => sql.transaction(fn),
    },
    selects: () => selects,
  };
}

const ranges = (size: number) =>
  fc.array(
    fc
      .tuple(fc.nat({ max: size }), fc.nat({ max: size }))
      .map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) })),
    { minLength: 1, maxLength: 4 },
  );

/** Checks a head's bytes against `data`: whole, streamed ranges, and page reads. */
async function expectReads(store: StateStore, data: Uint8Array, wanted: { start: number; end: number }[]) {
  const head = store.head();
  if (!head) throw new Error("no head");
  expect(equalBytes(await drain(store.read(head, { start: 0, end: head.size })), data)).toBe(true);
  const pages = store.pin(head);
  for (const { start, end } of wanted) {
    expect(equalBytes(await drain(store.read(head, { start, end })), data.subarray(start, end))).toBe(true);
    expect(equalBytes(pages.read(start, end - start), data.subarray(start, end))).toBe(true);
  }
  pages.release();
}

const sizeAcrossRows = fc.oneof(
  fc.integer({ min: 0, max: MAX }),
  // Near each row boundary, where an off-by-one would show.
  fc
    .tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: -3, max: 3 }))
    .map(([n, d]) => n * ROW_BYTES + d),
);

describe("state rows", () => {
  it(
    "any size, any chunking, any range round trips across 1 MiB row boundaries",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          sizeAcrossRows.chain((size) =>
            fc.tuple(
              fc.constant(size),
              fc.array(fc.nat({ max: size }), { maxLength: 5 }),
              fc.boolean(),
              ranges(size),
            ),
          ),
          async ([size, cuts, byob, wanted]) => {
            const sql = nodeSql();
            const store = storeOver(sql);
            const data = patterned(size, cuts.length);
            const chunks = cutAt(data, cuts);
            const version = await store.put(byob ? byteStreamOf(chunks) : streamOf(chunks), {
              expectedLength: size,
            });
            expect(version.hash).toEqual(sha256(data));
            expect(Number(sql.exec("SELECT COUNT(*) AS n FROM state_frames")[0]?.n)).toBe(
              Math.ceil(size / ROW_BYTES),
            );
            expect(sql.exec("SELECT row_bytes FROM state_blobs")).toEqual([{ row_bytes: ROW_BYTES }]);
            await expectReads(store, data, wanted);
          },
        ),
        { numRuns: 25 },
      );
    },
    SLOW,
  );

  it(
    "a blob written in 64 KiB rows before the migration keeps its bytes and hash",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          sizeAcrossRows.chain((size) => fc.tuple(fc.constant(size), ranges(size))),
          async ([size, wanted]) => {
            const sql = nodeSql();
            const data = patterned(size, 9);
            writeLegacyState((query, ...params) => sql.exec(query, ...params), data);
            const store = storeOver(sql);
            expect(store.head()).toMatchObject({ version: 1, size, hash: blake3(data) });
            await expectReads(store, data, wanted);
          },
        ),
        { numRuns: 15 },
      );
    },
    SLOW,
  );

  it("after the migration old and new layouts live side by side, and the migration runs once", async () => {
    const sql = nodeSql();
    const old = patterned(ROW_BYTES + 3 * FRAME_BYTES + 7, 1);
    writeLegacyState((query, ...params) => sql.exec(query, ...params), old);
    const store = storeOver(sql);
    const head = store.head()!;
    const reader = store.read(head, { start: 0, end: head.size });
    const pages = store.pin(head);
    const fresh = patterned(2 * ROW_BYTES + 11, 2);
    await store.put(streamOf(cutAt(fresh, [FRAME_BYTES, ROW_BYTES + 1])));
    // The replaced 64 KiB-row version still reads, paged and streamed, while pinned.
    expect(
      equalBytes(
        pages.read(FRAME_BYTES - 2, ROW_BYTES),
        old.subarray(FRAME_BYTES - 2, FRAME_BYTES - 2 + ROW_BYTES),
      ),
    ).toBe(true);
    expect(equalBytes(await drain(reader), old)).toBe(true);
    pages.release();
    expect(sql.exec("SELECT row_bytes FROM state_blobs ORDER BY blob_id")).toEqual([
      { row_bytes: ROW_BYTES },
    ]);
    await expectReads(storeOver(sql), fresh, [{ start: ROW_BYTES - 1, end: ROW_BYTES + 1 }]);
  });

  it(
    "a body longer than a small declared length is refused whatever its chunks, and stores nothing",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 3 * FRAME_BYTES }),
          fc.integer({ min: 1, max: ROW_BYTES }),
          fc.array(fc.nat({ max: 4 * FRAME_BYTES }), { maxLength: 4 }),
          fc.boolean(),
          async (declared, extra, cuts, byob) => {
            const sql = nodeSql();
            const store = storeOver(sql);
            const chunks = cutAt(patterned(declared + extra, 3), cuts);
            const put = store.put(byob ? byteStreamOf(chunks) : streamOf(chunks), {
              expectedLength: declared,
            });
            await expect(put).rejects.toMatchObject({ code: "INCOMPLETE_BODY" });
            expect(sql.exec("SELECT COUNT(*) AS n FROM state_frames")).toEqual([{ n: 0 }]);
            expect(store.head()).toBeNull();
          },
        ),
        { numRuns: 25 },
      );
    },
    SLOW,
  );

  it("sequential 64 KiB refills cost one SELECT per row, and a new pin starts afresh", async () => {
    const counting = countingSelects(nodeSql());
    const store = storeOver(counting.sql);
    const data = patterned(3 * ROW_BYTES + 5, 4);
    const head = await store.put(streamOf([data]));
    const pages = store.pin(head);
    const before = counting.selects();
    for (let offset = 0; offset < data.length; offset += FRAME_BYTES) {
      const length = Math.min(FRAME_BYTES, data.length - offset);
      expect(equalBytes(pages.read(offset, length), data.subarray(offset, offset + length))).toBe(true);
    }
    expect(counting.selects() - before).toBe(4);
    // Re-reading inside the last row fetched asks SQL nothing.
    pages.read(3 * ROW_BYTES, 5);
    expect(counting.selects() - before).toBe(4);
    pages.release();
    expect(() => pages.read(0, 1)).toThrow("after release");
    const again = store.pin(head);
    again.read(3 * ROW_BYTES, 5);
    expect(counting.selects() - before).toBe(5);
    again.release();
  });
});
