import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FRAME_BYTES, FRAMES_PER_SELECT, MAX_BOUND_PARAMETERS } from "../../src/limits.js";
import type { SqlPort } from "../../src/store/sql/sql-port.js";
import { LinearStorageTables } from "../../src/store/linear-storage/linear-storage-tables.js";
import { drain } from "../support/bytes.js";
import { nodeSql } from "./support/node-sql.js";

/** Linear storage over real SQLite, counting the SELECTs that read frames. */
function setup(stored: number[]) {
  const sql = nodeSql();
  let selects = 0;
  const counted: SqlPort = {
    exec: (query, ...params) => {
      if (/FROM storage_frames WHERE/.test(query)) selects++;
      return sql.exec(query, ...params);
    },
    transaction: (fn) => sql.transaction(fn),
  };
  const tables = new LinearStorageTables(counted);
  const frameOf = (index: number) => new Uint8Array(FRAME_BYTES).fill((index % 250) + 1);
  tables.apply(
    stored.map((index) => ({ index, bytes: frameOf(index) })),
    (Math.max(-1, ...stored) + 1) * FRAME_BYTES,
  );
  return { tables, frameOf, selects: () => selects, reset: () => (selects = 0) };
}

describe("LinearStorageTables.frames", () => {
  it("answers in the order asked, null for holes, in batched SELECTs", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: 300 }), { maxLength: 120 }),
        fc.array(fc.nat({ max: 300 }), { maxLength: 250 }),
        (stored, asked) => {
          const { tables, frameOf, selects, reset } = setup(stored);
          reset();
          const frames = tables.frames(asked);
          expect(frames).toEqual(asked.map((index) => (stored.includes(index) ? frameOf(index) : null)));
          expect(selects()).toBe(Math.ceil(new Set(asked).size / FRAMES_PER_SELECT));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("stays inside the bound-parameter limit for any number of indices", () => {
    expect(FRAMES_PER_SELECT).toBeLessThanOrEqual(MAX_BOUND_PARAMETERS);
    const { tables } = setup([0, 150]);
    const frames = tables.frames(Array.from({ length: 3 * MAX_BOUND_PARAMETERS }, (_, i) => i));
    expect(frames.filter((frame) => frame !== null)).toHaveLength(2);
  });

  it("hands an index asked twice its own copy", () => {
    const { tables } = setup([3]);
    const [first, second] = tables.frames([3, 3]);
    expect(second).toEqual(first);
    first?.fill(0);
    expect(second?.[0]).toBe(4);
  });

  it("streams a range with holes as zeros, one frame at a time", async () => {
    const { tables, frameOf } = setup([1]);
    const bytes = await drain(tables.stream(FRAME_BYTES - 3, FRAME_BYTES + 6));
    expect(Array.from(bytes.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(bytes.subarray(3, 3 + FRAME_BYTES)).toEqual(frameOf(1));
    expect(Array.from(bytes.subarray(3 + FRAME_BYTES))).toEqual([0, 0, 0]);
  });
});
