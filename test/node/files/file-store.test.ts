import { describe, expect, it } from "vitest";
import { EdgeError } from "../../../src/errors.js";
import { FILE_PAGE_BYTES, type FilesChanges } from "../../../src/protocol/files-port.js";
import { emptyDirectoryHash } from "../../../src/protocol/files-merkle.js";
import { nobleHasher, verifyFileProof } from "../../../src/client/verify-files-proof.js";
import { patterned } from "../../support/bytes.js";
import {
  BACKENDS,
  CallSim,
  FilesModel,
  LIMITS,
  commitSim,
  openStore,
  writeFiles,
  type Backend,
} from "./files-harness.js";

const P = FILE_PAGE_BYTES;

function changes(partial: Partial<FilesChanges>): FilesChanges {
  return { nodes: [], contents: [], removed: [], nextId: 10, stagingKey: "k", ...partial };
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof EdgeError) return error.code;
    throw error;
  }
  return "no error";
}

describe.each(BACKENDS)("FileStore over %s", (_name, makeBackend) => {
  const setup = () => {
    const backend: Backend = makeBackend();
    return { backend, store: openStore(backend) };
  };

  it("starts empty: the empty root directory, version 0, inode 1 next", async () => {
    const { store } = setup();
    expect(store.snapshot()).toEqual({
      root: emptyDirectoryHash(nobleHasher),
      version: 0,
      committedAtMs: 0,
      nextId: 1,
      fileCount: 0,
      nodeCount: 0,
      totalBytes: 0,
    });
    expect(store.source("k").lookup("")).toMatchObject({ path: "", kind: "directory", id: 0, size: 0 });
    expect(store.list("")).toEqual([]);
    expect(store.entry("nope")).toBeNull();
  });

  it("commits files and directories, reads them back, and reports the model's root", async () => {
    const { backend, store } = setup();
    const big = patterned(3 * P + 123, 1);
    const result = await writeFiles(
      backend,
      store,
      { "a/b/big.bin": big, "a/small.txt": patterned(10, 2), top: new Uint8Array(0) },
      5_000,
    );
    const model = new FilesModel();
    model.files.set("a/b/big.bin", big).set("a/small.txt", patterned(10, 2)).set("top", new Uint8Array(0));
    model.dirs.add("a").add("a/b");
    expect(result.root).toEqual(model.root());
    expect(result.version).toBe(1);
    expect(store.snapshot()).toMatchObject({
      version: 1,
      committedAtMs: 5_000,
      fileCount: 3,
      nodeCount: 5,
      totalBytes: big.length + 10,
    });
    expect(store.readRange("a/b/big.bin", 0, big.length)).toEqual(big);
    expect(store.readRange("a/b/big.bin", P - 5, 10)).toEqual(big.subarray(P - 5, P + 5));
    expect(store.readRange("a/b/big.bin", big.length - 3, 100)).toEqual(big.subarray(big.length - 3));
    expect(store.list("a")?.map((e) => [e.path, e.kind])).toEqual([
      ["a/b", "directory"],
      ["a/small.txt", "file"],
    ]);
    expect(store.list("a/small.txt")).toBeNull();
    expect([...store.chunks(store.entry("a/b/big.bin")!)].map((c) => c.length)).toEqual([P, P, P, 123]);
  });

  it("hashes a hole, an explicit zero page and a short page alike", async () => {
    const size = 3 * P + 10;
    const tail = patterned(10, 3);
    const roots: Uint8Array[] = [];
    for (const route of ["hole", "zeros", "short"] as const) {
      const { backend, store } = setup();
      const sim = new CallSim(store);
      if (route === "zeros") await sim.write("f", 0, new Uint8Array(3 * P));
      if (route === "short") await sim.write("f", P + 5, new Uint8Array(3));
      await sim.write("f", 3 * P, tail);
      await commitSim(backend, store, sim);
      expect(store.entry("f")?.size).toBe(size);
      const expected = new Uint8Array(size);
      expected.set(tail, 3 * P);
      expect(store.readRange("f", 0, size)).toEqual(expected);
      roots.push(store.snapshot().root);
    }
    expect(roots[1]).toEqual(roots[0]);
    expect(roots[2]).toEqual(roots[0]);
  });

  it("reads bytes past a truncation as zeros when the file grows again", async () => {
    const { backend, store } = setup();
    await writeFiles(backend, store, { f: patterned(P + 100, 4) });
    // Across calls: the store cuts the kept last page to the new size.
    let sim = new CallSim(store);
    const changesOnly = changes({
      nodes: [{ path: "f", node: { kind: "file", id: store.entry("f")!.id, size: 50 } }],
      contents: [{ id: store.entry("f")!.id, size: 50, keepBelow: 1 }],
      nextId: store.snapshot().nextId,
    });
    backend.transaction(() => store.commit(changesOnly, 2_000));
    sim = new CallSim(store);
    await sim.truncate("f", 200);
    await commitSim(backend, store, sim);
    const expected = new Uint8Array(200);
    expected.set(patterned(P + 100, 4).subarray(0, 50));
    expect(store.readRange("f", 0, 200)).toEqual(expected);
  });

  it("keeps a file's hash when it moves, and equal file sets give equal roots", async () => {
    const { backend, store } = setup();
    await writeFiles(backend, store, { "x/one": patterned(P * 2, 5) });
    const before = store.entry("x/one")!.hash;
    const sim = new CallSim(store);
    await sim.rename("x", "y/z");
    await commitSim(backend, store, sim);
    expect(store.entry("x")).toBeNull();
    expect(store.entry("y/z/one")!.hash).toEqual(before);
    expect(store.readRange("y/z/one", 0, 2 * P)).toEqual(patterned(P * 2, 5));
    const fresh = setup();
    await writeFiles(fresh.backend, fresh.store, { "y/z/one": patterned(P * 2, 5) });
    expect(fresh.store.snapshot().root).toEqual(store.snapshot().root);
  });

  it("drops the pages of removed files", async () => {
    const { backend, store } = setup();
    await writeFiles(backend, store, { a: patterned(2 * P, 6), b: patterned(P, 7) });
    const idA = store.entry("a")!.id;
    const sim = new CallSim(store);
    await sim.remove("a");
    await commitSim(backend, store, sim);
    expect(store.source("k").readPages(idA, 0, 2)).toEqual([null, null]);
    expect(store.snapshot()).toMatchObject({ fileCount: 1, nodeCount: 1, totalBytes: P });
  });

  it("scopes staged pages to their key and drops them on commit or discard", async () => {
    const { backend, store } = setup();
    const one = store.source("one");
    one.stage([{ id: 1, page: 0, bytes: Uint8Array.of(1, 2, 3) }]);
    store.source("two").stage([{ id: 1, page: 0, bytes: Uint8Array.of(9) }]);
    expect(one.readStaged(1, [0, 1])).toEqual([Uint8Array.of(1, 2, 3), null]);
    expect(store.source("three").readStaged(1, [0])).toEqual([null]);
    backend.transaction(() =>
      store.commit(
        changes({
          nodes: [{ path: "f", node: { kind: "file", id: 1, size: 3 } }],
          contents: [{ id: 1, size: 3, keepBelow: 0 }],
          nextId: 2,
          stagingKey: "one",
        }),
        1,
      ),
    );
    expect(store.readRange("f", 0, 3)).toEqual(Uint8Array.of(1, 2, 3));
    expect(store.source("one").readStaged(1, [0])).toEqual([null]);
    expect(store.source("two").readStaged(1, [0])).toEqual([Uint8Array.of(9)]);
    store.discardStaged();
    expect(store.source("two").readStaged(1, [0])).toEqual([null]);
  });

  it("refuses bad changes with stable codes and leaves everything as it was", async () => {
    const { backend, store } = setup();
    await writeFiles(backend, store, { "d/f": patterned(100, 8) });
    const before = store.snapshot();
    const fileId = store.entry("d/f")!.id;
    const dirId = store.entry("d")!.id;
    const next = before.nextId;
    const file = (path: string, id = next, size = 0) => ({ path, node: { kind: "file" as const, id, size } });
    const cases: Array<[string, FilesChanges]> = [
      ["FILES_INVALID_CHANGE", changes({ nodes: [file("missing/f")], nextId: next + 1 })],
      ["FILES_INVALID_CHANGE", changes({ nodes: [file("d/f/g")], nextId: next + 1 })],
      ["FILES_INVALID_CHANGE", changes({ nodes: [file("d/../g")], nextId: next + 1 })],
      ["FILES_INVALID_CHANGE", changes({ nodes: [file("d//g")], nextId: next + 1 })],
      ["FILES_INVALID_CHANGE", changes({ nodes: [file("/g")], nextId: next + 1 })],
      ["FILES_INVALID_CHANGE", changes({ nodes: [file("g\ud800")], nextId: next + 1 })],
      ["FILES_INVALID_CHANGE", changes({ nodes: [file("g", next)], nextId: next })],
      ["FILES_INVALID_CHANGE", changes({ nodes: [file("g", fileId)], nextId: next })],
      ["FILES_INVALID_CHANGE", changes({ nodes: [{ path: "d", node: null }], nextId: next })],
      ["FILES_INVALID_CHANGE", changes({ removed: [fileId], nextId: next })],
      ["FILES_INVALID_CHANGE", changes({ contents: [{ id: dirId, size: 0, keepBelow: 0 }], nextId: next })],
      ["FILES_INVALID_CHANGE", changes({ contents: [{ id: fileId, size: 5, keepBelow: 0 }], nextId: next })],
      ["FILES_INVALID_CHANGE", changes({ nextId: next - 1 })],
      ["FILES_LIMIT", changes({ nodes: [file("g", next, LIMITS.maxFileBytes + 1)], nextId: next + 1 })],
      ["FILES_LIMIT", changes({ nodes: [file("x".repeat(LIMITS.maxPathBytes + 1))], nextId: next + 1 })],
      [
        "FILES_LIMIT",
        changes({
          nodes: Array.from({ length: 5 }, (_, i) => file(`big${i}`, next + i, LIMITS.maxFileBytes)),
          nextId: next + 5,
        }),
      ],
      [
        "FILES_LIMIT",
        changes({
          nodes: Array.from({ length: LIMITS.maxNodes }, (_, i) => file(`n${i}`, next + i)),
          nextId: next + LIMITS.maxNodes,
        }),
      ],
    ];
    for (const [code, bad] of cases) {
      expect([code, codeOf(() => backend.transaction(() => store.commit(bad, 9)))]).toEqual([code, code]);
      expect(store.snapshot()).toEqual(before);
      expect(store.readRange("d/f", 0, 100)).toEqual(patterned(100, 8));
    }
  });

  it("commits and reads a file of maxFileBytes within the SQL statement limits", async () => {
    const { backend, store } = setup();
    const bytes = patterned(LIMITS.maxFileBytes, 11);
    await writeFiles(backend, store, { "max/file": bytes });
    expect(store.readRange("max/file", 0, bytes.length)).toEqual(bytes);
    expect(store.source("k").readPages(store.entry("max/file")!.id, 48, 16)).toHaveLength(16);
    expect(codeOf(() => store.source("k").readPages(1, 0, 17))).toBe("READ_TOO_LARGE");
  });

  it("lists names in UTF-8 byte order, whatever UTF-16 says", async () => {
    const { backend, store } = setup();
    const names = ["z", "Z", "é", "\u{1F600}", "\uFF5E", "a", "ab", "a b"];
    await writeFiles(backend, store, Object.fromEntries(names.map((name) => [name, Uint8Array.of(1)])));
    const utf8 = new TextEncoder();
    const sorted = names.toSorted((a, b) => Buffer.compare(utf8.encode(a), utf8.encode(b)));
    expect(store.list("")?.map((e) => e.path)).toEqual(sorted);
    const model = new FilesModel();
    for (const name of names) model.files.set(name, Uint8Array.of(1));
    expect(store.snapshot().root).toEqual(model.root());
  });

  it("proves a file, a directory and the root", async () => {
    const { backend, store } = setup();
    await writeFiles(backend, store, {
      "a/b/c.txt": patterned(2 * P + 7, 9),
      "a/d": Uint8Array.of(1),
      e: Uint8Array.of(2),
    });
    const root = store.snapshot().root;
    const proof = store.proof("a/b/c.txt")!;
    expect(proof.levels).toHaveLength(3);
    expect(verifyFileProof(proof, root, patterned(2 * P + 7, 9))).toMatchObject({
      ok: true,
      hash: store.entry("a/b/c.txt")!.hash,
    });
    expect(verifyFileProof(proof, root)).toMatchObject({ ok: true });
    expect(verifyFileProof(store.proof("a")!, root)).toMatchObject({
      ok: true,
      hash: store.entry("a")!.hash,
    });
    expect(verifyFileProof(store.proof("")!, root)).toMatchObject({ ok: true, hash: root });
    expect(store.proof("a/zz")).toBeNull();
    expect(store.proof("a/../e")).toBeNull();
  });
});
