// A commit writes only what changed: the pages the call staged, the nodes on
// the changed paths and their ancestors, and the meta row.
import { describe, expect, it } from "vitest";
import { FILE_PAGE_BYTES } from "../../../src/protocol/files-port.js";
import type { FileRows } from "../../../src/store/files/file-rows.js";
import { FileStore } from "../../../src/store/files/file-store.js";
import { patterned } from "../../support/bytes.js";
import { newHasher } from "../support/hasher.js";
import {
  BACKENDS,
  CallSim,
  FilesModel,
  LIMITS,
  commitSim,
  writeFiles,
  type Backend,
} from "./files-harness.js";

const P = FILE_PAGE_BYTES;
const WRITES = ["putPage", "deletePage", "deletePagesFrom", "putNode", "deleteNode", "putMeta"] as const;

/** FileRows that log every write, by method and first arguments. */
function counted(rows: FileRows): { rows: FileRows; log: string[] } {
  const log: string[] = [];
  const wrapped = new Proxy(rows, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if ((WRITES as readonly string[]).includes(String(key))) {
          const what =
            typeof args[0] === "object" ? (args[0] as { path?: string }).path : args.slice(0, 2).join(":");
          log.push(`${String(key)} ${what ?? ""}`.trim());
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { rows: wrapped, log };
}

describe.each(BACKENDS)("FileStore writes over %s", (_name, makeBackend) => {
  const setup = () => {
    const base: Backend = makeBackend();
    const { rows, log } = counted(base.rows);
    const backend: Backend = { ...base, rows };
    return { backend, store: new FileStore(rows, newHasher, LIMITS), log };
  };

  it("rewrites one page, its file and the file's ancestors when one page changes", async () => {
    const { backend, store, log } = setup();
    const big = patterned(10 * P, 1);
    await writeFiles(backend, store, {
      "a/b/f": big,
      "a/b/sibling": patterned(5, 2),
      "a/other": patterned(5, 3),
      z: patterned(5, 4),
    });
    const id = store.entry("a/b/f")!.id;
    log.length = 0;
    const sim = new CallSim(store);
    await sim.write("a/b/f", 3 * P + 10, Uint8Array.of(7, 7, 7));
    const result = await commitSim(backend, store, sim);
    expect(log.toSorted()).toEqual(
      [`putPage ${id}:3`, "putMeta", "putNode a", "putNode a/b", "putNode a/b/f"].toSorted(),
    );
    expect(result.bytesWritten).toBe(P + 3 * 32);
    const model = new FilesModel();
    const changed = big.slice();
    changed.set([7, 7, 7], 3 * P + 10);
    model.files
      .set("a/b/f", changed)
      .set("a/b/sibling", patterned(5, 2))
      .set("a/other", patterned(5, 3))
      .set("z", patterned(5, 4));
    model.dirs.add("a").add("a/b");
    expect(result.root).toEqual(model.root());
  });

  it("moves a file without touching its pages", async () => {
    const { backend, store, log } = setup();
    await writeFiles(backend, store, { "a/f": patterned(4 * P, 5), "b/keep": patterned(3, 6) });
    log.length = 0;
    const sim = new CallSim(store);
    await sim.rename("a/f", "b/f");
    await commitSim(backend, store, sim);
    expect(log.filter((entry) => entry.includes("Page"))).toEqual([]);
    expect(log.toSorted()).toEqual(
      ["deleteNode a/f", "putMeta", "putNode a", "putNode b", "putNode b/f"].toSorted(),
    );
  });

  it("writes nothing but the meta row when a call rewrites bytes with themselves", async () => {
    const { backend, store, log } = setup();
    await writeFiles(backend, store, { "a/f": patterned(2 * P, 7) });
    log.length = 0;
    const sim = new CallSim(store);
    await sim.write("a/f", 5, patterned(2 * P, 7).subarray(5, 10));
    await commitSim(backend, store, sim);
    // The page was staged, but it holds what the stored page holds.
    expect(log).toEqual(["putMeta"]);
  });

  it("drops truncated pages as rows, not rewrites", async () => {
    const { backend, store, log } = setup();
    await writeFiles(backend, store, { f: patterned(6 * P, 8) });
    const id = store.entry("f")!.id;
    log.length = 0;
    const sim = new CallSim(store);
    await sim.truncate("f", 2 * P);
    await commitSim(backend, store, sim);
    expect(log.toSorted()).toEqual([`deletePagesFrom ${id}:2`, "putMeta", "putNode f"]);
  });
});
