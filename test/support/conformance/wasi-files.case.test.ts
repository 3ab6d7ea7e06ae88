// Conformance of the WASI Preview 2 filesystem host (issue 12 item 3) over a
// file store: preopens, streams at offsets, the per-call overlay committed or
// dropped with the call, every capability refusal and every limit, with the
// WASI error code each case answers. Driven through the host's classes as
// jco's glue calls them (wasi-files-calls.ts), against every store host.
import { describe, expect, it } from "vitest";
import { FILE_PAGE_BYTES } from "../../../src/protocol/files-port.js";
import type { IoError } from "../../../src/guest-abi/wasi/streams.js";
import {
  call,
  codeOf,
  CREATE,
  expectCode,
  names,
  open,
  pattern,
  readAll,
  readFile,
  RW,
  text,
  utf8,
  writeAll,
  writeFile,
} from "./wasi-files-calls.js";
import type { WasiFilesHost } from "./wasi-files-host.js";
import { concat } from "../bytes.js";

const PAGE = FILE_PAGE_BYTES;

export function wasiFilesCases(host: WasiFilesHost): void {
  describe(`wasi:filesystem on ${host.name}`, () => {
    describe("preopens", () => {
      it("are / (read-write) and /params (read-only, with the parameters file)", async () => {
        const store = host.open();
        await call(
          store,
          async ({ root, params, wasi }) => {
            const preopens = (
              wasi.imports["wasi:filesystem/preopens"]!.getDirectories as () => unknown[][]
            )();
            expect(preopens.map((entry) => entry[1])).toEqual(["/", "/params"]);
            expect(root.getType()).toBe("directory");
            expect(root.getFlags()).toEqual({ read: true, mutateDirectory: true });
            expect(params.getFlags()).toEqual({ read: true });
            expect(await names(params)).toEqual(["parameters"]);
            expect(utf8(await readFile(params, "parameters"))).toBe("the parameters");
            expect((await params.statAt({}, "parameters")).size).toBe(14n);
          },
          { parameters: text("the parameters") },
        );
      });

      it("/params refuses every change with read-only", async () => {
        const store = host.open();
        await call(store, async ({ params }) => {
          await expectCode(() => params.openAt({}, "parameters", {}, RW), "read-only");
          await expectCode(() => params.openAt({}, "new", CREATE, { read: true }), "read-only");
          await expectCode(() => params.createDirectoryAt("d"), "read-only");
          await expectCode(() => params.unlinkFileAt("parameters"), "read-only");
          await expectCode(() => params.renameAt("parameters", params, "p2"), "read-only");
          const file = await params.openAt({}, "parameters", {}, { read: true });
          await expectCode(() => file.write(text("x"), 0n), "bad-descriptor");
          await expectCode(() => file.setSize(0n), "bad-descriptor");
          expect(await names(params)).toEqual(["parameters"]);
        });
      });
    });

    describe("files persist with the call's outcome", () => {
      it("a file written in one call reads back in the next", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await writeFile(root, "notes.txt", text("hello files"));
          expect(utf8(await readFile(root, "notes.txt"))).toBe("hello files");
        });
        await call(store, async ({ root }) => {
          expect(utf8(await readFile(root, "notes.txt"))).toBe("hello files");
          expect((await root.statAt({}, "notes.txt")).size).toBe(11n);
        });
      });

      it("a call whose changes are not committed leaves nothing", async () => {
        const store = host.open();
        await call(store, async ({ root }) => writeFile(root, "kept", text("v1")));
        const before = store.root();
        await call(
          store,
          async ({ root }) => {
            await writeFile(root, "kept", text("v2 longer"));
            await writeFile(root, "dropped", pattern(3 * PAGE));
            await root.createDirectoryAt("dir");
          },
          { commit: false },
        );
        expect(store.root()).toEqual(before);
        await call(store, async ({ root }) => {
          expect(utf8(await readFile(root, "kept"))).toBe("v1");
          expect(await names(root)).toEqual(["kept"]);
        });
      });

      it("a call that changes nothing hands back no changes", async () => {
        const store = host.open();
        await call(store, async ({ root }) => writeFile(root, "a", text("x")));
        const { changes } = await call(store, async ({ root }) => readFile(root, "a"));
        expect(changes).toBeUndefined();
      });

      it("new inodes count up from the snapshot's nextId, the same on every instance", async () => {
        const run = async () => {
          const store = host.open();
          const first = await call(store, async ({ root }) => {
            await root.createDirectoryAt("d");
            await writeFile(root, "d/f", text("1"));
          });
          const second = await call(store, async ({ root }) => writeFile(root, "g", text("2")));
          return { first: first.changes, second: second.changes, root: store.root() };
        };
        const a = await run();
        const b = await run();
        expect(a.first?.nodes.map((n) => [n.path, n.node?.id])).toEqual([
          ["d", 1],
          ["d/f", 2],
        ]);
        expect(a.second?.nodes.map((n) => [n.path, n.node?.id])).toEqual([["g", 3]]);
        expect({
          ...a,
          first: { ...a.first, stagingKey: "" },
          second: { ...a.second, stagingKey: "" },
        }).toEqual({
          ...b,
          first: { ...b.first, stagingKey: "" },
          second: { ...b.second, stagingKey: "" },
        });
      });
    });

    describe("open-at", () => {
      it("answers no-entry, exist, not-directory, is-directory and invalid per its flags", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await writeFile(root, "f", text("data"));
          await root.createDirectoryAt("d");
          await expectCode(() => root.openAt({}, "missing", {}, RW), "no-entry");
          await expectCode(() => root.openAt({}, "f", { create: true, exclusive: true }, RW), "exist");
          await expectCode(() => root.openAt({}, "f", { directory: true }, { read: true }), "not-directory");
          await expectCode(() => root.openAt({}, "f/", {}, { read: true }), "not-directory");
          await expectCode(() => root.openAt({}, "f/x", {}, { read: true }), "not-directory");
          await expectCode(() => root.openAt({}, "nope/x", CREATE, RW), "no-entry");
          await expectCode(() => root.openAt({}, "d", {}, RW), "is-directory");
          await expectCode(() => root.openAt({}, "d", { truncate: true }, { read: true }), "is-directory");
          await expectCode(() => root.openAt({}, "x", { create: true, directory: true }, RW), "invalid");
          await expectCode(() => root.openAt({}, "", {}, { read: true }), "no-entry");
          const dir = await root.openAt({}, "d", { directory: true }, { read: true });
          expect(dir.getType()).toBe("directory");
          const self = await root.openAt({}, ".", {}, { read: true });
          expect(self.isSameObject(root)).toBe(true);
        });
      });

      it("create makes an empty file, truncate empties one, exclusive creates only", async () => {
        const store = host.open();
        await call(store, async ({ root }) => writeFile(root, "f", pattern(PAGE + 10)));
        await call(store, async ({ root }) => {
          const fresh = await root.openAt({}, "new", { create: true, exclusive: true }, RW);
          expect((await fresh.stat()).size).toBe(0n);
          const kept = await root.openAt({}, "f", CREATE, RW);
          expect((await kept.stat()).size).toBe(BigInt(PAGE + 10));
          const emptied = await root.openAt({}, "f", { truncate: true }, RW);
          expect((await emptied.stat()).size).toBe(0n);
          await emptied.setSize(20n);
          expect([...(await emptied.read(20n, 0n))[0]]).toEqual(Array.from({ length: 20 }, () => 0));
        });
        await call(store, async ({ root }) => {
          expect((await root.statAt({}, "f")).size).toBe(20n);
          expect((await readFile(root, "f")).every((byte) => byte === 0)).toBe(true);
        });
      });
    });

    describe("descriptor flags are honoured", () => {
      it("reads and writes need the read and write flags (bad-descriptor)", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await writeFile(root, "f", text("abc"));
          const readOnly = await root.openAt({}, "f", {}, { read: true });
          await expectCode(() => readOnly.write(text("x"), 0n), "bad-descriptor");
          await expectCode(() => readOnly.writeViaStream(0n), "bad-descriptor");
          await expectCode(() => readOnly.appendViaStream(), "bad-descriptor");
          await expectCode(() => readOnly.setSize(1n), "bad-descriptor");
          const writeOnly = await root.openAt({}, "f", {}, { write: true });
          await expectCode(() => writeOnly.read(1n, 0n), "bad-descriptor");
          await expectCode(() => writeOnly.readViaStream(0n), "bad-descriptor");
          expect(await writeOnly.write(text("X"), 0n)).toBe(1n);
          expect(utf8(await readFile(root, "f"))).toBe("Xbc");
          await expectCode(() => root.read(1n, 0n), "is-directory");
          await expectCode(() => root.readViaStream(0n), "is-directory");
          await expectCode(() => readOnly.openAt({}, "x", {}, { read: true }), "not-directory");
          expect((await readOnly.stat()).size).toBe(3n);
        });
      });

      it("a directory opened without mutate-directory refuses changes below it (not-permitted)", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await root.createDirectoryAt("d");
          await writeFile(root, "d/f", text("x"));
          const dir = await root.openAt({}, "d", { directory: true }, { read: true });
          await expectCode(() => dir.createDirectoryAt("e"), "not-permitted");
          await expectCode(() => dir.openAt({}, "g", CREATE, RW), "not-permitted");
          await expectCode(() => dir.openAt({}, "f", {}, RW), "not-permitted");
          await expectCode(() => dir.unlinkFileAt("f"), "not-permitted");
          await expectCode(() => dir.renameAt("f", dir, "g"), "not-permitted");
          expect(utf8(await readFile(dir, "f"))).toBe("x");
          const mutable = await root.openAt({}, "d", {}, { read: true, mutateDirectory: true });
          await writeFile(mutable, "g", text("y"));
          expect(await names(dir)).toEqual(["f", "g"]);
        });
      });
    });

    describe("no path escapes its preopen", () => {
      it.each(["..", "../x", "a/../b", "./..", "/etc/passwd", "/"])("%j is not-permitted", async (path) => {
        const store = host.open();
        await call(store, async ({ root, params }) => {
          await root.createDirectoryAt("a");
          await expectCode(() => root.openAt({}, path, CREATE, RW), "not-permitted");
          await expectCode(() => root.statAt({}, path), "not-permitted");
          await expectCode(() => root.createDirectoryAt(path), "not-permitted");
          await expectCode(() => params.statAt({}, path), "not-permitted");
          const sub = await root.openAt({}, "a", {}, { read: true, mutateDirectory: true });
          await expectCode(() => sub.openAt({}, path, {}, { read: true }), "not-permitted");
          expect(await names(root)).toEqual(["a"]);
        });
      });

      it("symlinks and hard links are refused; readlink finds none", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await writeFile(root, "f", text("x"));
          await expectCode(() => root.symlinkAt("f", "link"), "not-permitted");
          await expectCode(() => root.linkAt({}, "f", root, "hard"), "not-permitted");
          await expectCode(() => root.readlinkAt("f"), "invalid");
          await expectCode(() => root.readlinkAt("missing"), "no-entry");
          expect(await names(root)).toEqual(["f"]);
        });
      });
    });

    describe("streams", () => {
      it("read-via-stream starts at its offset and ends with closed", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          const file = await writeFile(root, "f", text("0123456789"));
          const stream = file.readViaStream(4n);
          expect(utf8(await stream.read(3n))).toBe("456");
          expect(utf8(await stream.blockingRead(100n))).toBe("789");
          await expectCode(() => stream.read(1n), "closed");
          await expectCode(() => file.readViaStream(10n).read(1n), "closed");
          expect(await file.readViaStream(2n).skip(5n)).toBe(5n);
        });
      });

      it("write-via-stream writes at its offset, append-via-stream at the end, each keeps its own offset", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          const file = await writeFile(root, "f", text("aaaaaaaaaa"));
          const middle = file.writeViaStream(3n);
          const append = file.appendViaStream();
          await middle.write(text("BB"));
          await append.write(text("cc"));
          await middle.write(text("DD"));
          await append.blockingWriteAndFlush(text("ee"));
          middle.flush();
          expect(utf8(await readFile(root, "f"))).toBe("aaaBBDDaaaccee");
          expect(await middle.checkWrite()).toBeGreaterThan(0n);
          const beyond = file.writeViaStream(20n);
          await beyond.write(text("z"));
          expect([...(await readFile(root, "f")).subarray(14, 21)]).toEqual([0, 0, 0, 0, 0, 0, 122]);
          await beyond.writeZeroes(3n);
          expect((await file.stat()).size).toBe(24n);
        });
      });

      it("a stream write past a limit fails with an error whose filesystem code says why, then is closed", async () => {
        const store = host.open({ maxFileBytes: 100 });
        await call(store, async ({ root, wasi }) => {
          const file = await open(root, "f", true);
          const stream = file.writeViaStream(95n);
          let failure: unknown;
          try {
            await stream.write(new Uint8Array(10));
          } catch (error) {
            failure = error;
          }
          expect(failure).toMatchObject({ tag: "last-operation-failed" });
          const code = wasi.imports["wasi:filesystem/types"]?.filesystemErrorCode as (e: IoError) => string;
          expect(code((failure as { val: IoError }).val)).toBe("file-too-large");
          await expectCode(() => stream.write(new Uint8Array(1)), "closed");
          expect((await file.stat()).size).toBe(0n);
        });
      });
    });

    describe("read, write and set-size at offsets", () => {
      it("round-trips across page boundaries, holes read as zeros", async () => {
        const store = host.open();
        const data = pattern(2 * PAGE + 100, 3);
        await call(store, async ({ root }) => {
          const file = await open(root, "f", true);
          expect(await file.write(data, BigInt(PAGE - 50))).toBe(BigInt(data.length));
          const [head, headEnd] = await file.read(100n, 0n);
          expect(headEnd).toBe(false);
          expect(head.every((byte) => byte === 0)).toBe(true);
          const [body, end] = await file.read(BigInt(data.length), BigInt(PAGE - 50));
          expect(body).toEqual(data);
          expect(end).toBe(true);
          const [none, eof] = await file.read(10n, BigInt(10 * PAGE));
          expect([none.length, eof]).toEqual([0, true]);
        });
        await call(store, async ({ root }) => {
          const file = await open(root, "f");
          const [body] = await file.read(BigInt(data.length), BigInt(PAGE - 50));
          expect(body).toEqual(data);
        });
      });

      it("set-size grows with zeros and shrinks; bytes cut off stay gone after regrowth, across a commit", async () => {
        const store = host.open();
        await call(store, async ({ root }) => writeFile(root, "f", pattern(3 * PAGE, 5)));
        await call(store, async ({ root }) => {
          const file = await open(root, "f");
          await file.setSize(BigInt(PAGE + 7));
          await file.setSize(BigInt(4 * PAGE));
          const [bytes] = await file.read(BigInt(4 * PAGE), 0n);
          expect(bytes.subarray(0, PAGE + 7)).toEqual(pattern(3 * PAGE, 5).subarray(0, PAGE + 7));
          expect(bytes.subarray(PAGE + 7).every((byte) => byte === 0)).toBe(true);
        });
        await call(store, async ({ root }) => {
          const bytes = await readFile(root, "f");
          expect(bytes.length).toBe(4 * PAGE);
          expect(bytes.subarray(0, PAGE + 7)).toEqual(pattern(3 * PAGE, 5).subarray(0, PAGE + 7));
          expect(bytes.subarray(PAGE + 7).every((byte) => byte === 0)).toBe(true);
        });
      });
    });

    describe("stat", () => {
      it("gives real sizes, link count 1 and the commit time of the current version", async () => {
        const store = host.open();
        await call(
          store,
          async ({ root }) => {
            await writeFile(root, "f", pattern(PAGE + 1));
            const stat = await root.statAt({}, "f");
            expect(stat).toMatchObject({ type: "regular-file", size: BigInt(PAGE + 1), linkCount: 1n });
            expect(stat.dataModificationTimestamp).toEqual({ seconds: 0n, nanoseconds: 0 });
          },
          { atMs: 1_700_000_123_456 },
        );
        await call(store, async ({ root }) => {
          const time = { seconds: 1_700_000_123n, nanoseconds: 456_000_000 };
          for (const stat of [await root.stat(), await root.statAt({}, "f")]) {
            expect(stat.dataAccessTimestamp).toEqual(time);
            expect(stat.dataModificationTimestamp).toEqual(time);
            expect(stat.statusChangeTimestamp).toEqual(time);
          }
          expect((await root.stat()).type).toBe("directory");
          await expectCode(() => root.statAt({}, "nope"), "no-entry");
          await expectCode(() => root.statAt({}, "f/x"), "not-directory");
        });
      });
    });

    describe("directories", () => {
      it("read-directory lists committed and new entries merged, sorted by their bytes", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          for (const name of ["b", "Z", "é", "a"]) await writeFile(root, name, text(name));
          await root.createDirectoryAt("dir");
        });
        await call(store, async ({ root }) => {
          await writeFile(root, "c", text("c"));
          await root.unlinkFileAt("b");
          await writeFile(root, "dir/inner", text("i"));
          expect(await names(root)).toEqual(["Z", "a", "c", "dir", "é"]);
          const entries = await root.readDirectory();
          const all = [];
          for (let e = entries.readDirectoryEntry(); e; e = entries.readDirectoryEntry()) all.push(e);
          expect(all.find((e) => e.name === "dir")?.type).toBe("directory");
          expect(all.find((e) => e.name === "a")?.type).toBe("regular-file");
          expect(await names(await root.openAt({}, "dir", {}, { read: true }))).toEqual(["inner"]);
        });
      });

      it("create-directory-at and remove-directory-at (empty only)", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await root.createDirectoryAt("d");
          await expectCode(() => root.createDirectoryAt("d"), "exist");
          await expectCode(() => root.createDirectoryAt("x/y"), "no-entry");
          await root.createDirectoryAt("d/e");
          await writeFile(root, "f", text("x"));
          await expectCode(() => root.createDirectoryAt("f/g"), "not-directory");
        });
        await call(store, async ({ root }) => {
          await expectCode(() => root.removeDirectoryAt("d"), "not-empty");
          await expectCode(() => root.removeDirectoryAt("f"), "not-directory");
          await expectCode(() => root.removeDirectoryAt("missing"), "no-entry");
          await expectCode(() => root.removeDirectoryAt("."), "invalid");
          await root.removeDirectoryAt("d/e");
          await root.removeDirectoryAt("d");
          expect(await names(root)).toEqual(["f"]);
        });
        await call(store, async ({ root }) => expect(await names(root)).toEqual(["f"]));
      });

      it("unlink-file-at removes files only", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await writeFile(root, "f", text("x"));
          await root.createDirectoryAt("d");
        });
        await call(store, async ({ root }) => {
          await expectCode(() => root.unlinkFileAt("d"), "is-directory");
          await expectCode(() => root.unlinkFileAt("missing"), "no-entry");
          await root.unlinkFileAt("f");
          await expectCode(() => root.statAt({}, "f"), "no-entry");
        });
        await call(store, async ({ root }) => expect(await names(root)).toEqual(["d"]));
      });
    });

    describe("rename-at", () => {
      it("moves and replaces files; the replaced inode is removed", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await writeFile(root, "a", text("A"));
          await writeFile(root, "b", text("B"));
        });
        const { changes } = await call(store, async ({ root }) => {
          const opened = await open(root, "a");
          await root.renameAt("a", root, "b");
          expect(utf8(await readAll(opened.readViaStream(0n)))).toBe("A");
          await expectCode(() => root.renameAt("missing", root, "c"), "no-entry");
          await expectCode(() => root.renameAt("b", root, "nodir/c"), "no-entry");
        });
        expect(changes?.removed).toEqual([2]);
        await call(store, async ({ root }) => {
          expect(await names(root)).toEqual(["b"]);
          expect(utf8(await readFile(root, "b"))).toBe("A");
        });
      });

      it("moves a directory with its descendants, committed ones included", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await root.createDirectoryAt("src");
          await root.createDirectoryAt("src/deep");
          await writeFile(root, "src/deep/f", pattern(PAGE + 3, 9));
          await writeFile(root, "src/g", text("g"));
        });
        await call(store, async ({ root }) => {
          await writeFile(root, "src/new", text("n"));
          const deep = await root.openAt({}, "src/deep", {}, { read: true, mutateDirectory: true });
          await root.renameAt("src", root, "dst");
          expect(await names(root)).toEqual(["dst"]);
          expect(await names(deep)).toEqual(["f"]);
          await writeFile(deep, "h", text("via the moved descriptor"));
          await expectCode(() => root.statAt({}, "src/g"), "no-entry");
        });
        await call(store, async ({ root }) => {
          expect(await names(root)).toEqual(["dst"]);
          expect(await names(await root.openAt({}, "dst", {}, { read: true }))).toEqual(["deep", "g", "new"]);
          expect(await readFile(root, "dst/deep/f")).toEqual(pattern(PAGE + 3, 9));
          expect(utf8(await readFile(root, "dst/deep/h"))).toBe("via the moved descriptor");
        });
      });

      it("answers is-directory, not-directory, not-empty and invalid", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await writeFile(root, "f", text("x"));
          await root.createDirectoryAt("d");
          await root.createDirectoryAt("full");
          await writeFile(root, "full/x", text("x"));
          await root.createDirectoryAt("empty");
          await expectCode(() => root.renameAt("f", root, "d"), "is-directory");
          await expectCode(() => root.renameAt("d", root, "f"), "not-directory");
          await expectCode(() => root.renameAt("d", root, "full"), "not-empty");
          await expectCode(() => root.renameAt("d", root, "d/sub"), "invalid");
          await root.renameAt("d", root, "empty");
          await root.renameAt("f", root, "f");
          expect(await names(root)).toEqual(["empty", "f", "full"]);
        });
      });
    });

    describe("metadata-hash and is-same-object", () => {
      it("is stable for an unchanged file, changes with its content, differs between files", async () => {
        const store = host.open();
        await call(store, async ({ root }) => {
          await writeFile(root, "a", text("same"));
          await writeFile(root, "b", text("same"));
        });
        const first = await call(store, async ({ root }) => [
          await root.metadataHashAt({}, "a"),
          await root.metadataHashAt({}, "b"),
          await (await open(root, "a")).metadataHash(),
        ]);
        const [a, b, aOpened] = first.result;
        expect(a).toEqual(aOpened);
        expect(a).not.toEqual(b);
        await call(store, async ({ root }) => {
          expect(await root.metadataHashAt({}, "a")).toEqual(a);
          const file = await open(root, "a");
          await file.write(text("!"), 0n);
          const changed = await file.metadataHash();
          expect(changed).not.toEqual(a);
          await file.write(text("?"), 0n);
          expect(await file.metadataHash()).not.toEqual(changed);
          expect(file.isSameObject(await open(root, "a"))).toBe(true);
          expect(file.isSameObject(await open(root, "b"))).toBe(false);
        });
      });
    });

    describe("limits", () => {
      it("file size: file-too-large on write and set-size", async () => {
        const store = host.open({ maxFileBytes: 1000 });
        await call(store, async ({ root }) => {
          const file = await open(root, "f", true);
          await expectCode(() => file.write(new Uint8Array(1001), 0n), "file-too-large");
          await expectCode(() => file.setSize(1001n), "file-too-large");
          await file.write(new Uint8Array(1000), 0n);
          expect((await file.stat()).size).toBe(1000n);
        });
      });

      it("nodes and total bytes: insufficient-space; removing frees them", async () => {
        const store = host.open({ maxNodes: 3, maxTotalBytes: 100 });
        await call(store, async ({ root }) => {
          await root.createDirectoryAt("d");
          await writeFile(root, "d/a", new Uint8Array(60));
          await writeFile(root, "b", new Uint8Array(40));
        });
        await call(store, async ({ root }) => {
          await expectCode(() => root.createDirectoryAt("e"), "insufficient-space");
          await expectCode(() => root.openAt({}, "c", CREATE, RW), "insufficient-space");
          const b = await open(root, "b");
          await expectCode(() => b.write(new Uint8Array(1), 40n), "insufficient-space");
          await root.unlinkFileAt("d/a");
          await b.write(new Uint8Array(60), 40n);
          await root.createDirectoryAt("e");
          expect(await names(root)).toEqual(["b", "d", "e"]);
        });
      });

      it("path length: name-too-long, for a moved directory's descendants too", async () => {
        const store = host.open({ maxPathBytes: 16 });
        await call(store, async ({ root }) => {
          await expectCode(() => root.openAt({}, "x".repeat(17), CREATE, RW), "name-too-long");
          await root.createDirectoryAt("d");
          await writeFile(root, "d/abcdefghijkl", text("x"));
          await expectCode(() => root.renameAt("d", root, "dddd"), "name-too-long");
          await root.renameAt("d", root, "e");
          expect(await names(await root.openAt({}, "e", {}, { read: true }))).toEqual(["abcdefghijkl"]);
        });
      });
    });

    it("a 64 MiB file is written and read back in 64 KiB chunks with the host's held bytes bounded", async () => {
      const store = host.open();
      const chunk = (i: number) => new Uint8Array(PAGE).fill(i & 0xff);
      const count = 1024;
      let peak = 0;
      await call(store, async ({ root, wasi }) => {
        const stream = (await open(root, "big", true)).writeViaStream(0n);
        for (let i = 0; i < count; i++) {
          await stream.write(chunk(i));
          peak = Math.max(peak, wasi.heldBytes());
        }
      });
      await call(store, async ({ root, wasi }) => {
        const file = await open(root, "big");
        expect((await file.stat()).size).toBe(BigInt(count * PAGE));
        const stream = file.readViaStream(0n);
        for (let i = 0; i < count; i++) {
          const bytes = await stream.read(BigInt(PAGE));
          if (bytes.length !== PAGE || bytes[0] !== (i & 0xff) || bytes[PAGE - 1] !== (i & 0xff)) {
            throw new Error(`chunk ${i} read back wrong`);
          }
          peak = Math.max(peak, wasi.heldBytes());
        }
        await expectCode(() => stream.read(1n), "closed");
      });
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThan(4 * 1024 * 1024);
    }, 120_000);

    it("writes stay correct past the write buffer (staged pages read back)", async () => {
      const store = host.open({ writeBufferBytes: 2 * PAGE, readAheadPages: 2 });
      const data = pattern(10 * PAGE + 123, 11);
      await call(store, async ({ root }) => {
        const file = await open(root, "f", true);
        await writeAll(file.writeViaStream(0n), data, 10_000);
        expect(await readFile(root, "f")).toEqual(data);
        await file.write(text("patch"), BigInt(3 * PAGE - 2));
        await file.setSize(BigInt(5 * PAGE + 1));
        await file.setSize(BigInt(8 * PAGE));
        const expected = concat(data.subarray(0, 5 * PAGE + 1), new Uint8Array(3 * PAGE - 1));
        expected.set(text("patch"), 3 * PAGE - 2);
        expect(await readFile(root, "f")).toEqual(expected);
      });
      expect(await codeOf(() => undefined)).toBe("ok");
    });
  });
}
