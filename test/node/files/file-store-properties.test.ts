// Property tests of the file store: any route of writes (random offsets, holes,
// truncations, renames, removals, split across calls) reads back as a plain
// model and has the root that model's bytes imply, so equal file sets give
// equal roots whatever the order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FILE_PAGE_BYTES } from "../../../src/protocol/files-port.js";
import type { FileStore } from "../../../src/store/files/file-store.js";
import { BACKENDS, CallSim, FilesModel, commitSim, openStore } from "./files-harness.js";
import { opArb, runOps } from "./files-ops.js";

const P = FILE_PAGE_BYTES;

function expectStoreMatches(store: FileStore, model: FilesModel): void {
  expect(store.snapshot().root).toEqual(model.root());
  for (const [path, bytes] of model.files) {
    expect(store.entry(path)).toMatchObject({ kind: "file", size: bytes.length });
    expect(store.readRange(path, 0, bytes.length)).toEqual(bytes);
  }
  const listed: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of store.list(dir) ?? []) {
      listed.push(entry.path);
      if (entry.kind === "directory") walk(entry.path);
    }
  };
  walk("");
  expect(listed.toSorted()).toEqual([...model.files.keys(), ...model.dirs].toSorted());
  expect(store.snapshot()).toMatchObject({
    fileCount: model.files.size,
    nodeCount: model.files.size + model.dirs.size,
    totalBytes: [...model.files.values()].reduce((sum, bytes) => sum + bytes.length, 0),
  });
}

describe.each(BACKENDS)("file store properties over %s", (_name, makeBackend) => {
  it("reads back as the model after every commit, with the root the model's bytes give", async () => {
    let commits = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 30 }), async (ops) => {
        await runOps(makeBackend(), ops, (store, model) => {
          // A sub-range across a page boundary of every file, besides the whole files.
          for (const [path, bytes] of model.files) {
            expect(store.readRange(path, 7, P + 3)).toEqual(bytes.subarray(7, 7 + P + 3));
          }
          expectStoreMatches(store, model);
          commits++;
        });
      }),
      { numRuns: 30 },
    );
    expect(commits).toBeGreaterThan(30);
  }, 60_000);

  it("gives equal roots for equal file sets, whatever the route and order of writes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 20 }), fc.integer(), async (ops, seed) => {
        const routeA = await runOps(makeBackend(), ops);
        // Route B: the final files written afresh in a shuffled order, each in shuffled
        // chunks (holes left where the bytes are zero), over several calls.
        const backend = makeBackend();
        const store = openStore(backend);
        const rand = fc.sample(fc.infiniteStream(fc.nat({ max: 1_000_000 })), { numRuns: 1, seed })[0]!;
        const random = (): number => rand.next().value as number;
        let sim = new CallSim(store);
        const entries = [...routeA.model.files].toSorted(() => (random() % 3) - 1);
        for (const dir of routeA.model.dirs) await sim.mkdirs(dir);
        for (const [path, bytes] of entries) {
          const cuts = [
            0,
            bytes.length,
            ...Array.from({ length: 3 }, () => random() % (bytes.length + 1)),
          ].toSorted((a, b) => a - b);
          const pieces = cuts
            .slice(1)
            .map((end, i) => [cuts[i]!, end] as const)
            .toSorted(() => (random() % 3) - 1);
          await sim.write(path, 0, new Uint8Array(0));
          for (const [start, end] of pieces) {
            if (bytes.subarray(start, end).some((b) => b !== 0))
              await sim.write(path, start, bytes.subarray(start, end));
          }
          await sim.truncate(path, bytes.length);
          if (random() % 2 === 0) {
            await commitSim(backend, store, sim);
            sim = new CallSim(store);
          }
        }
        await commitSim(backend, store, sim);
        expect(store.snapshot().root).toEqual(routeA.store.snapshot().root);
        expectStoreMatches(store, routeA.model);
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});
