import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EdgeError } from "../../src/errors.js";
import { nobleStateDigest } from "../../src/hashing/state-digest.js";
import { FRAME_BYTES, INLINE_COLLECT_BYTES, ROW_BYTES } from "../../src/limits.js";
import { StateStore } from "../../src/store/state/state-store.js";
import { StateTables } from "../../src/store/state/state-tables.js";
import { nodeSql } from "./support/node-sql.js";
import { cutAt, drain, equalBytes, patterned, streamOf } from "../support/bytes.js";

function setup(maxStateBytes = 64 * FRAME_BYTES, scheduleCollection?: () => void) {
  const sql = nodeSql();
  const tables = new StateTables(sql);
  let now = 1_000;
  const clock = { now: () => now++ };
  const store = new StateStore(tables, clock, nobleStateDigest, { maxStateBytes, scheduleCollection });
  const count = (query: string) => Number(sql.exec(query)[0]?.n);
  const rows = () => count("SELECT COUNT(*) AS n FROM state_frames");
  const blobs = () => count("SELECT COUNT(*) AS n FROM state_blobs");
  return { sql, tables, store, rows, blobs, clock };
}

async function readAll(store: StateStore, range?: { start: number; end: number }) {
  const head = store.head();
  if (!head) throw new Error("no head");
  return drain(store.read(head, range ?? { start: 0, end: head.size }));
}

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "no error";
  } catch (error) {
    return error instanceof EdgeError ? error.code : String(error);
  }
}

describe("StateStore over real SQLite", () => {
  it("round trips any body cut into any chunks, with its SHA-256 hash", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * FRAME_BYTES + 10 }),
        fc.array(fc.nat({ max: 3 * FRAME_BYTES + 10 }), { maxLength: 6 }),
        async (size, cuts) => {
          const { store, rows } = setup();
          const data = patterned(size, cuts.length);
          const version = await store.put(streamOf(cutAt(data, cuts)), { expectedLength: size });
          expect(version.size).toBe(size);
          expect(version.hash).toEqual(sha256(data));
          expect(await readAll(store)).toEqual(data);
          expect(rows()).toBe(Math.ceil(size / ROW_BYTES));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("serves any byte range of the head", async () => {
    const { store } = setup();
    const data = patterned(2 * FRAME_BYTES + 123);
    await store.put(streamOf([data]));
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: data.length - 1 }), fc.nat({ max: data.length }), async (a, b) => {
        const start = Math.min(a, b);
        const end = Math.max(a + 1, b);
        expect(await readAll(store, { start, end })).toEqual(data.subarray(start, end));
      }),
      { numRuns: 60 },
    );
  });

  it("pages read any range of a blob, across batches of rows, empty ranges included", async () => {
    const { store } = setup(8 * ROW_BYTES);
    // Past 4 rows, so a long read takes more than one SELECT.
    const data = patterned(5 * ROW_BYTES + 321, 5);
    const head = await store.put(streamOf([data]));
    const pages = store.pin(head);
    fc.assert(
      fc.property(fc.nat({ max: data.length }), fc.nat({ max: data.length }), (a, b) => {
        const offset = Math.min(a, b);
        const length = Math.max(a, b) - offset;
        // equalBytes: toEqual walks a MiB element by element far too slowly.
        expect(equalBytes(pages.read(offset, length), data.subarray(offset, offset + length))).toBe(true);
      }),
      { numRuns: 60 },
    );
    expect(equalBytes(pages.read(0, data.length), data)).toBe(true);
    expect(pages.read(FRAME_BYTES + 7, 0)).toEqual(new Uint8Array(0));
    expect(() => pages.read(data.length - 1, 2)).toThrow(EdgeError);
    pages.release();
  });

  it("numbers versions and retires the previous rows", async () => {
    const { store, rows, blobs } = setup();
    const first = await store.put(streamOf([patterned(FRAME_BYTES + 1)]));
    const second = await store.put(streamOf([patterned(10, 1)]));
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(rows()).toBe(1);
    expect(blobs()).toBe(1);
    expect(await readAll(store)).toEqual(patterned(10, 1));
  });

  it("an aborted upload keeps the previous version and leaves no staged rows", async () => {
    const { store, rows, blobs } = setup();
    const old = patterned(ROW_BYTES + 5);
    await store.put(streamOf([old]));
    // Fails after a whole row was written, so the staged blob has rows to drop.
    const chunks = cutAt(patterned(3 * ROW_BYTES, 2), [ROW_BYTES + 1, 2 * ROW_BYTES]);
    expect(await errorCode(store.put(streamOf(chunks, 2)))).toBe("INCOMPLETE_BODY");
    expect(await readAll(store)).toEqual(old);
    expect(store.head()?.version).toBe(1);
    expect(rows()).toBe(2);
    expect(blobs()).toBe(1);
  });

  it("a body shorter or longer than Content-Length is refused and leaves nothing", async () => {
    const { store, rows, blobs } = setup();
    expect(await errorCode(store.put(streamOf([patterned(100)]), { expectedLength: 1000 }))).toBe(
      "INCOMPLETE_BODY",
    );
    expect(await errorCode(store.put(streamOf([patterned(100)]), { expectedLength: 10 }))).toBe(
      "INCOMPLETE_BODY",
    );
    expect(store.head()).toBeNull();
    expect([rows(), blobs()]).toEqual([0, 0]);
  });

  it("refuses states over the limit, declared or streamed, without storing them", async () => {
    const { store, rows, blobs } = setup(2 * FRAME_BYTES);
    expect(await errorCode(store.put(streamOf([]), { expectedLength: 2 * FRAME_BYTES + 1 }))).toBe(
      "PAYLOAD_TOO_LARGE",
    );
    const chunks = cutAt(patterned(3 * FRAME_BYTES), [FRAME_BYTES, 2 * FRAME_BYTES]);
    expect(await errorCode(store.put(streamOf(chunks)))).toBe("PAYLOAD_TOO_LARGE");
    expect(await store.put(streamOf([patterned(2 * FRAME_BYTES)]))).toMatchObject({ size: 2 * FRAME_BYTES });
    expect([rows(), blobs()]).toEqual([1, 1]);
  });

  it("a failed precondition or validation commits nothing", async () => {
    const { store, rows } = setup();
    await store.put(streamOf([patterned(5)]));
    const refuse = () => {
      throw new EdgeError("PRECONDITION_FAILED", "stale");
    };
    expect(await errorCode(store.put(streamOf([patterned(7)]), { precondition: refuse }))).toBe(
      "PRECONDITION_FAILED",
    );
    const reject = async () => {
      throw new EdgeError("BAD_REQUEST", "contract says no");
    };
    expect(await errorCode(store.put(streamOf([patterned(9)]), { validate: reject }))).toBe("BAD_REQUEST");
    expect(store.head()?.size).toBe(5);
    expect(rows()).toBe(1);
  });

  it("puts bytes of up to one frame in one transaction, judged before anything is written", async () => {
    const { sql, store, rows, blobs } = setup();
    await store.put(streamOf([patterned(5)]));
    const seen: unknown[] = [];
    const statements: string[] = [];
    const exec = sql.exec.bind(sql);
    sql.exec = (query, ...bindings) => {
      statements.push(query);
      return exec(query, ...bindings);
    };
    const bytes = patterned(FRAME_BYTES, 4);
    const version = await store.put(bytes, {
      expectedLength: bytes.length,
      validate: async (staged) => {
        seen.push(staged);
        expect(statements).toEqual([]);
      },
    });
    expect(seen).toEqual([{ bytes, size: bytes.length, hash: sha256(bytes) }]);
    expect(version).toMatchObject({ version: 2, size: bytes.length, hash: sha256(bytes) });
    expect(await readAll(store)).toEqual(bytes);
    expect([blobs(), rows()]).toEqual([1, 1]);

    const refuse = async () => {
      throw new EdgeError("BAD_REQUEST", "no");
    };
    expect(await errorCode(store.put(patterned(9), { validate: refuse }))).toBe("BAD_REQUEST");
    expect(await errorCode(store.put(patterned(9), { expectedLength: 10 }))).toBe("INCOMPLETE_BODY");
    expect(store.head()?.version).toBe(2);
    expect(await readAll(store)).toEqual(bytes);
    expect([blobs(), rows()]).toEqual([1, 1]);
  });

  it("rewrites a small head nobody reads in place, and gives a new blob to one a reader holds", async () => {
    const { store, rows, blobs } = setup();
    await store.put(patterned(8, 1));
    const first = store.head()!;
    await store.put(patterned(8, 2));
    expect(store.head()).toMatchObject({ version: 2, blobId: first.blobId });
    await store.put(new Uint8Array(0));
    expect([blobs(), rows()]).toEqual([1, 0]);
    await store.put(patterned(8, 3));
    expect(await readAll(store)).toEqual(patterned(8, 3));

    // A page reader of the head keeps its bytes while a new small version commits.
    const held = store.head()!;
    const pages = store.pin(held);
    await store.put(patterned(8, 4));
    expect(store.head()!.blobId).not.toBe(held.blobId);
    expect(pages.read(0, 8)).toEqual(patterned(8, 3));
    pages.release();
    expect(await readAll(store)).toEqual(patterned(8, 4));
    expect([blobs(), rows()]).toEqual([1, 1]);
    const next = store.pin(store.head()!);
    expect(next.read(2, 4)).toEqual(patterned(8, 4).subarray(2, 6));
    next.release();
  });

  it("forgets a head promoted in a transaction that then rolled back", async () => {
    const { tables, store } = setup();
    await store.put(streamOf([patterned(5)]));
    const before = store.head();
    const blobId = tables.newBlob(7, ROW_BYTES);
    expect(() =>
      tables.transaction(() => {
        tables.promote(blobId, 3, new Uint8Array(32), 8);
        throw new Error("rolled back");
      }),
    ).toThrow("rolled back");
    expect(store.head()).toEqual(before);
  });

  it("a reader keeps its version while newer ones commit, then its rows go", async () => {
    const { store, rows } = setup(8 * ROW_BYTES);
    // More rows than one SELECT fetches, so the stream pulls again after the commits.
    const old = patterned(5 * ROW_BYTES + 3, 3);
    await store.put(streamOf([old]));
    const head = store.head()!;
    const reader = store.read(head, { start: 0, end: head.size }).getReader();
    const first = await reader.read();
    await store.put(streamOf([patterned(7)]));
    await store.put(streamOf([patterned(8)]));
    expect(rows()).toBe(6 + 1);
    const rest: Uint8Array[] = [first.value!];
    for (let next = await reader.read(); !next.done; next = await reader.read()) rest.push(next.value);
    expect(equalBytes(await drain(streamOf(rest)), old)).toBe(true);
    expect(rows()).toBe(1);
  });

  it("drops a small replaced version at once and leaves a large one to the alarm; reading the head schedules nothing", async () => {
    let scheduled = 0;
    const { store, rows, blobs } = setup(64 * FRAME_BYTES, () => scheduled++);
    await store.put(streamOf([patterned(8)]));
    await store.put(streamOf([patterned(8, 1)]));
    expect([scheduled, blobs()]).toEqual([0, 1]);

    // Reads of the head, streamed or paged, leave nothing to collect.
    await readAll(store);
    const pages = store.pin(store.head()!);
    pages.read(0, 8);
    pages.release();
    expect(scheduled).toBe(0);

    await store.put(streamOf([patterned(INLINE_COLLECT_BYTES + 1, 2)]));
    await store.put(streamOf([patterned(8, 3)]));
    expect(scheduled).toBe(1);
    expect(rows()).toBe(2);
    store.collectRetired();
    expect(rows()).toBe(1);
  });

  it("a cancelled reader releases its pin", async () => {
    const { store, rows } = setup();
    await store.put(streamOf([patterned(2 * ROW_BYTES)]));
    const head = store.head()!;
    const stream = store.read(head, { start: 0, end: head.size });
    await store.put(streamOf([patterned(3)]));
    expect(rows()).toBe(3);
    await stream.cancel();
    expect(rows()).toBe(1);
  });

  it("recover() drops staged blobs left by a crash", async () => {
    const { store, tables, rows } = setup();
    await store.put(streamOf([patterned(4)]));
    const crashed = tables.newBlob(1, ROW_BYTES);
    tables.putRow(crashed, 0, patterned(ROW_BYTES));
    store.recover();
    expect(rows()).toBe(1);
    expect(await readAll(store)).toEqual(patterned(4));
  });

  it("interleaved uploads each get a distinct version and the head is one whole body", async () => {
    const { store, rows, blobs } = setup();
    const bodies = Array.from({ length: 12 }, (_, i) => patterned(FRAME_BYTES + i * 1000, i));
    const versions = await Promise.all(
      bodies.map((body) => store.put(streamOf(cutAt(body, [100, 5000, FRAME_BYTES])))),
    );
    expect(new Set(versions.map((v) => v.version)).size).toBe(bodies.length);
    const final = await readAll(store);
    expect(bodies.some((body) => body.length === final.length && body.every((b, i) => b === final[i]))).toBe(
      true,
    );
    expect(blobs()).toBe(1);
    expect(rows()).toBe(1);
  });
});
