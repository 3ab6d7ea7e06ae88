// StagedStorage over real SQLite against a model: frames staged by call frames
// of a transaction read back newest-first over the committed tables, a failed
// subtree's rows vanish, and commit applies exactly what survives.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FRAME_BYTES } from "../../../src/limits.js";
import { within } from "../../../src/protocol/transaction.js";
import { LinearStorageTables } from "../../../src/store/linear-storage/linear-storage-tables.js";
import { nodeSql } from "../support/node-sql.js";

const frame = (fill: number) => (fill === 0 ? null : new Uint8Array(FRAME_BYTES).fill(fill));
const fillOf = (bytes: Uint8Array | null) => bytes?.[0] ?? 0;

const PATHS = ["r", "r.0", "r.0.0", "r.0.1", "r.1", "r.1.0"];

type Step =
  | { kind: "stage"; path: string; writes: Array<[number, number]>; size: number }
  | { kind: "discard"; prefix: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("stage" as const),
    path: fc.constantFrom(...PATHS),
    writes: fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 })), {
      maxLength: 4,
    }),
    size: fc.integer({ min: 0, max: 6 * FRAME_BYTES }),
  }),
  fc.record({ kind: fc.constant("discard" as const), prefix: fc.constantFrom(...PATHS.slice(1)) }),
);

describe("StagedStorage", () => {
  it("reads, discards and applies as the model says", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), fc.boolean(), (steps, commit) => {
        const sql = nodeSql();
        const tables = new LinearStorageTables(sql);
        tables.apply([{ index: 1, bytes: frame(9) }], 2 * FRAME_BYTES);
        const staged = tables.staged;
        // The model: staged rows in order; each read takes the newest surviving row, else committed.
        let rows: Array<{ path: string; index: number | null; fill: number; size: number }> = [];
        const committed = new Map([[1, 9]]);
        let committedSize = 2 * FRAME_BYTES;
        const stagedAnswers: Array<[said: boolean, wrote: boolean]> = [];
        const modelSize = () => rows.findLast((row) => row.index === null)?.size ?? committedSize;
        for (const s of steps) {
          if (s.kind === "stage") {
            const writes = s.writes.map(([index, fill]) => ({ index, bytes: frame(fill) }));
            const resized = s.size !== modelSize();
            // It says whether it wrote anything: a frame that changed nothing leaves no row.
            stagedAnswers.push([
              staged.stage("t", s.path, { writes, size: s.size }),
              resized || writes.length > 0,
            ]);
            for (const [index, fill] of s.writes) rows.push({ path: s.path, index, fill, size: 0 });
            if (resized) rows.push({ path: s.path, index: null, fill: 0, size: s.size });
          } else {
            staged.discard("t", [s.prefix]);
            rows = rows.filter((row) => !within(row.path, s.prefix));
          }
          const indices = [0, 1, 2, 3, 4, 5];
          const expected = indices.map(
            (index) => rows.findLast((row) => row.index === index)?.fill ?? committed.get(index) ?? 0,
          );
          expect(staged.frames("t", indices).map(fillOf)).toEqual(expected);
          expect(staged.size("t")).toBe(modelSize());
          // Another transaction sees only what is committed.
          expect(staged.frames("other", indices).map(fillOf)).toEqual(
            indices.map((i) => committed.get(i) ?? 0),
          );
        }
        expect(stagedAnswers.map(([said]) => said)).toEqual(stagedAnswers.map(([, wrote]) => wrote));
        const size = modelSize();
        const survivors = new Map<number, number>();
        for (const row of rows) if (row.index !== null) survivors.set(row.index, row.fill);
        sql.transaction(() => (commit ? staged.apply("t") : staged.drop("t")));
        if (commit) {
          for (const [index, fill] of survivors) {
            if (fill === 0) committed.delete(index);
            else committed.set(index, fill);
          }
          committedSize = size;
        }
        expect(tables.frames([0, 1, 2, 3, 4, 5]).map(fillOf)).toEqual(
          [0, 1, 2, 3, 4, 5].map((i) => committed.get(i) ?? 0),
        );
        expect(tables.size()).toBe(committedSize);
        expect(staged.frames("t", [1]).map(fillOf)).toEqual([committed.get(1) ?? 0]);
        expect(sql.exec("SELECT COUNT(*) AS n FROM txn_storage")[0]?.n).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it("names what frames staged after a mark changed, for a caller to re-read", () => {
    const tables = new LinearStorageTables(nodeSql());
    const staged = tables.staged;
    staged.stage("t", "r", { writes: [{ index: 0, bytes: frame(1) }], size: FRAME_BYTES });
    const mark = staged.mark();
    expect(staged.changedSince("t", mark)).toBeUndefined();
    staged.stage("t", "r.0.0", {
      writes: [
        { index: 3, bytes: frame(2) },
        { index: 0, bytes: frame(5) },
      ],
      size: 4 * FRAME_BYTES,
    });
    expect(staged.changedSince("t", mark)).toEqual({ frames: [0, 3], size: 4 * FRAME_BYTES });
    staged.discard("t", ["r.0"]);
    expect(staged.changedSince("t", mark)).toBeUndefined();
  });
});
