// Inclusion proofs: made by the DO (BLAKE3 wasm), checked by the client
// (@noble/hashes) and by the DO's own hasher alike; any change to a proof, the
// content, the root or the path makes it fail.
import { blake3 } from "@noble/hashes/blake3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  nobleHasher,
  verifyDirectoryProof,
  verifyFileProof,
} from "../../../src/client/verify-files-proof.js";
import { FILE_PAGE_BYTES } from "../../../src/protocol/files-port.js";
import { treePath, treeRoot, rootFromPath, type MerkleEntry } from "../../../src/protocol/files-merkle.js";
import {
  checkFilesProof,
  filesProofFromJson,
  filesProofToJson,
  type FilesProof,
  type FilesProofJson,
} from "../../../src/protocol/files-proof.js";
import { newHasher } from "../support/hasher.js";
import { BACKENDS } from "./files-harness.js";
import { opArb, runOps } from "./files-ops.js";

const P = FILE_PAGE_BYTES;

/** Every way of changing one thing in a proof's JSON: a hex digit of any hash, or any number. */
function tamperings(json: FilesProofJson): Array<[string, FilesProofJson]> {
  const out: Array<[string, FilesProofJson]> = [];
  const flip = (hex: string, at: number): string =>
    hex.slice(0, at) + (Number.parseInt(hex[at]!, 16) ^ 1).toString(16) + hex.slice(at + 1);
  const copy = (): FilesProofJson => JSON.parse(JSON.stringify(json)) as FilesProofJson;
  const at = (hex: string) => (hex.length * 7) % hex.length;
  {
    const t = copy();
    if (t.target.kind === "file") {
      t.target.pagesRoot = flip(t.target.pagesRoot, at(t.target.pagesRoot));
      out.push(["pagesRoot", t]);
      const s = copy();
      if (s.target.kind === "file") s.target.size += 1;
      out.push(["size", s]);
    } else {
      t.target.entriesRoot = flip(t.target.entriesRoot, 3);
      out.push(["entriesRoot", t]);
      const c = copy();
      if (c.target.kind === "directory") c.target.count += 1;
      out.push(["count", c]);
    }
    const k = copy();
    k.target =
      k.target.kind === "file"
        ? { kind: "directory", count: 1, entriesRoot: k.target.pagesRoot }
        : { kind: "file", size: 0, pagesRoot: k.target.entriesRoot };
    out.push(["kind", k]);
  }
  json.levels.forEach((level, i) => {
    level.siblings.forEach((sibling, j) => {
      for (const digit of [0, 31, 63]) {
        const t = copy();
        t.levels[i]!.siblings[j] = flip(sibling, digit);
        out.push([`level ${i} sibling ${j} digit ${digit}`, t]);
      }
    });
    const index = copy();
    index.levels[i]!.index = (level.index + 1) % Math.max(2, level.count + 1);
    out.push([`level ${i} index`, index]);
    const count = copy();
    count.levels[i]!.count += 1;
    out.push([`level ${i} count`, count]);
    const dropped = copy();
    dropped.levels[i]!.siblings.pop();
    if (level.siblings.length > 0) out.push([`level ${i} short path`, dropped]);
  });
  if (json.levels.length > 0) {
    const fewer = copy();
    fewer.levels.pop();
    out.push(["a level less", fewer]);
  }
  return out;
}

/** Bytes that are not `content`: one byte flipped, one byte more. */
function wrongContents(content: Uint8Array | undefined, pick: number): Array<[string, Uint8Array]> {
  if (!content) return [];
  const flipped = content.length > 0 ? content.slice() : Uint8Array.of(0);
  flipped[pick % flipped.length]! ^= content.length > 0 ? 1 : 0;
  const longer = new Uint8Array(content.length + 1);
  longer.set(content);
  return [
    ["flipped content", flipped],
    ["longer content", longer],
  ];
}

describe("the entry tree", () => {
  it("proves every leaf of every size, and only that leaf", () => {
    const leaves = Array.from({ length: 13 }, (_, i) => blake3(Uint8Array.of(i)));
    for (let count = 1; count <= leaves.length; count++) {
      const tree = leaves.slice(0, count);
      const root = treeRoot(nobleHasher, tree);
      for (let index = 0; index < count; index++) {
        const path = treePath(nobleHasher, tree, index);
        expect(rootFromPath(nobleHasher, tree[index]!, index, count, path)).toEqual(root);
        const elsewhere = rootFromPath(nobleHasher, tree[index]!, (index + 1) % count, count, path);
        expect(count > 1 ? elsewhere : null).not.toEqual(root);
      }
    }
  });
});

describe.each(BACKENDS)("files proofs over %s", (_name, makeBackend) => {
  it("verify for every path, with both hashers, and fail when anything is changed", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 15 }), fc.nat(), async (ops, pick) => {
        const { store, model } = await runOps(makeBackend(), ops);
        const root = store.snapshot().root;
        const wrongRoot = root.slice();
        wrongRoot[pick % 32]! ^= 1;
        const paths = ["", ...model.dirs, ...model.files.keys()];
        for (const path of paths) {
          const proof = store.proof(path) as FilesProof;
          const content = model.files.get(path);
          const hash = path === "" ? root : store.entry(path)!.hash;
          expect(verifyFileProof(proof, root, content)).toEqual({ ok: true, hash });
          expect(checkFilesProof(newHasher, proof, root, content ? { content } : {})).toEqual({
            ok: true,
            hash,
          });
          const json = filesProofToJson(proof);
          expect(filesProofFromJson(JSON.parse(JSON.stringify(json)))).toEqual(proof);
          expect(verifyFileProof(json, root, content).ok).toBe(true);

          // Each check below must fail: [what was changed, whether it still verified].
          const passed: Array<[string, boolean]> = [
            ["wrong root", verifyFileProof(proof, wrongRoot, content).ok],
          ];
          for (const [what, tampered] of tamperings(json))
            passed.push([what, verifyFileProof(tampered, root, content).ok]);
          for (const other of paths) {
            if (other !== path)
              passed.push([`path ${other}`, verifyFileProof({ ...json, path: other }, root).ok]);
          }
          for (const [what, wrong] of wrongContents(content, pick)) {
            passed.push([what, verifyFileProof(proof, root, wrong).ok]);
          }
          expect(passed.filter(([, ok]) => ok)).toEqual([]);
        }
        for (const dir of ["", ...model.dirs]) {
          const json = filesProofToJson(store.proof(dir)!);
          const entries: MerkleEntry[] = store
            .list(dir)!
            .map((e) => ({ name: e.path.slice(e.path.lastIndexOf("/") + 1), kind: e.kind, hash: e.hash }));
          expect(verifyDirectoryProof(json, root, entries).ok).toBe(true);
          const wrongListings = [
            entries.slice(1),
            [...entries, ...entries.slice(0, 1)],
            entries.toReversed(),
          ].filter((listing) => listing.length !== entries.length || entries.length > 1);
          expect(wrongListings.filter((listing) => verifyDirectoryProof(json, root, listing).ok)).toEqual([]);
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it("proves a large directory with a logarithmic path, and a large file by its content", async () => {
    const backend = makeBackend();
    const { store } = await runOps(backend, [
      ...Array.from({ length: 100 }, (_, i) => ({
        op: "write" as const,
        path: `d/f${i}`,
        offset: 0,
        length: i,
        seed: i,
      })),
      { op: "write", path: "big", offset: 3 * P - 1, length: 2 * P, seed: 1 },
    ]);
    const root = store.snapshot().root;
    const proof = store.proof("d/f42")!;
    expect(proof.levels[0]).toMatchObject({ count: 100 });
    expect(proof.levels[0]!.siblings).toHaveLength(7);
    const big = store.readRange("big", 0, store.entry("big")!.size);
    expect(verifyFileProof(store.proof("big")!, root, big).ok).toBe(true);
  });

  it("refuses malformed JSON proofs with a reason, not an exception", async () => {
    const { store } = await runOps(makeBackend(), [
      { op: "write", path: "a", offset: 0, length: 3, seed: 1 },
    ]);
    const root = store.snapshot().root;
    const json = filesProofToJson(store.proof("a")!);
    const bad: unknown[] = [
      { ...json, root: "xyz" },
      { ...json, levels: "no" },
      { ...json, target: { kind: "link" } },
      { ...json, levels: [{ index: -1, count: 1, siblings: [] }] },
      { ...json, path: "../a" },
      { ...json, path: "a/" },
    ];
    for (const proof of bad) expect(verifyFileProof(proof as FilesProofJson, root).ok).toBe(false);
  });
});
