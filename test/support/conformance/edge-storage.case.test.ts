// Conformance of the edge_storage namespace (README "Linear storage"), run
// against every host: writes land at their offsets, unwritten bytes read as
// zero, storage_size is one past the highest byte written, and a call's
// writes commit when it returns RUN_OK and never after a trap or RUN_ERROR.
// A host whose guests cannot wait for the instance (no JSPI, RPC ports) must
// answer IO_ERROR and store nothing. Guests: contracts/fixtures/storage-writer.wat,
// contracts/examples/hash-map, and its probe of the SDK's Storage wrappers
// (contracts/examples/hash-map/assembly/probe/storage-probe.ts: map, sync,
// unmap, every status, write-back at return).
import { describe, expect, it } from "vitest";
import { FRAME_BYTES } from "../../../src/limits.js";
import { HostStatus } from "../../../src/protocol/host-status.js";
import { describeWhere } from "./where.js";
import type { ConformanceHost, ConformanceInstance } from "./conformance-host.js";
import { concat, i32At, text, u64At, utf8 } from "./guest-bytes.js";
import { decodeResults, del, encodeCommands, get, put, type HashMapCommand } from "./hash-map-requests.js";
import { okBody, rejection } from "./run-outcome.js";
import {
  ADJACENT_AT,
  MAPPED_AT,
  MAPPED_BYTES,
  mappingsAnswer,
  mappingsBody,
  rolledBackBody,
} from "./storage-probe-requests.js";

/** storage-writer writes its payload here. */
const WRITER_OFFSET = 1_000_000;
const EMPTY = { size: 0, framesStored: 0, bytesStored: 0 };

/** storage-writer: [mode][payload]; mode 1 traps after the write. Answers [storage_size u64][status i32]. */
async function write(instance: ConformanceInstance, payload: Uint8Array, trap = false) {
  return instance.run(concat(Uint8Array.of(trap ? 1 : 0), payload));
}

function writerAnswer(body: Uint8Array) {
  expect(body.length).toBe(12);
  return { size: u64At(body, 0), status: i32At(body, 8) };
}

async function hashMap(instance: ConformanceInstance, commands: HashMapCommand[]) {
  return decodeResults(commands, okBody(await instance.run(encodeCommands(commands))));
}

export function edgeStorageCases(host: ConformanceHost): void {
  const limit = host.limits.storageLimitBytes;
  describe(`edge_storage on ${host.name}`, () => {
    describeWhere(host.reachesInstance)("frames load from the instance", () => {
      it("storage_write lands at its offset, storage_size is one past the highest byte, one frame commits", async () => {
        const instance = await host.open("storage-writer");
        const answer = writerAnswer(okBody(await write(instance, text("hello"))));
        expect(answer).toEqual({ size: BigInt(WRITER_OFFSET + 5), status: HostStatus.OK });
        expect(utf8(await instance.storageBytes(WRITER_OFFSET, 5))).toBe("hello");
        expect(await instance.storageStats()).toEqual({
          size: WRITER_OFFSET + 5,
          framesStored: 1,
          bytesStored: FRAME_BYTES,
        });
      });

      it("unwritten bytes read as zero, around a write and far from any", async () => {
        const instance = await host.open("storage-writer");
        okBody(await write(instance, Uint8Array.of(1, 2, 3)));
        expect([...(await instance.storageBytes(WRITER_OFFSET - 10, 20))]).toEqual([
          ...Array.from({ length: 10 }, () => 0),
          1,
          2,
          3,
          ...Array.from({ length: 7 }, () => 0),
        ]);
        expect((await instance.storageBytes(50_000_000, 100)).every((byte) => byte === 0)).toBe(true);
      });

      it("a call that traps after writing commits nothing of it", async () => {
        const instance = await host.open("storage-writer");
        okBody(await write(instance, text("first")));
        expect(await write(instance, text("SECOND"), true)).toEqual({
          kind: "failed",
          code: "CONTRACT_TRAP",
        });
        expect(utf8(await instance.storageBytes(WRITER_OFFSET, 6))).toBe("first\0");
        expect((await instance.storageStats()).size).toBe(WRITER_OFFSET + 5);
      });

      it("a call that answers RUN_ERROR commits nothing, not even its earlier commands' writes", async () => {
        const instance = await host.open("hash-map");
        expect(await hashMap(instance, [put("kept", "1")])).toEqual([{ op: "put", replaced: false }]);
        const before = await instance.storageStats();
        const failing = concat(encodeCommands([put("lost", "x")]), Uint8Array.of(9));
        expect(rejection(await instance.run(failing))).toBe("command 1: unknown op 9");
        expect(await instance.storageStats()).toEqual(before);
        expect(await hashMap(instance, [get("kept"), get("lost")])).toEqual([
          { op: "get", value: "1" },
          { op: "get", value: null },
        ]);
      });

      it("each call sees what the calls before it committed", async () => {
        const instance = await host.open("hash-map");
        expect(await hashMap(instance, [put("a", "one")])).toEqual([{ op: "put", replaced: false }]);
        expect(await hashMap(instance, [put("a", "two"), put("b", "")])).toEqual([
          { op: "put", replaced: true },
          { op: "put", replaced: false },
        ]);
        expect(await hashMap(instance, [get("a"), del("b")])).toEqual([
          { op: "get", value: "two" },
          { op: "delete", deleted: true },
        ]);
        expect(await hashMap(instance, [get("b")])).toEqual([{ op: "get", value: null }]);
      });

      it("a call that only reads stores nothing", async () => {
        const instance = await host.open("hash-map");
        expect(await hashMap(instance, [get("a"), del("a")])).toEqual([
          { op: "get", value: null },
          { op: "delete", deleted: false },
        ]);
        expect(await instance.storageStats()).toEqual(EMPTY);
      });

      it("storage-probe (SDK Storage): map, sync, overlaps, unmap and refusals answer their statuses; a mapping still open at return writes back", async () => {
        const instance = await host.open("storage-probe");
        expect(mappingsAnswer(okBody(await instance.run(mappingsBody(limit))))).toEqual({
          map: HostStatus.OK,
          zeroFilled: 1,
          // The mapping's bytes reach storage at the sync, not before.
          sizeBeforeSync: 0,
          sync: HostStatus.OK,
          sizeAfterSync: MAPPED_AT + MAPPED_BYTES,
          overlaps: [HostStatus.OVERLAP, HostStatus.OVERLAP, HostStatus.OVERLAP],
          adjacentMap: HostStatus.OK,
          unmaps: [HostStatus.OK, HostStatus.NOT_MAPPED],
          read: HostStatus.OK,
          readSeesSync: 1,
          refusals: [HostStatus.INVALID_ARGUMENT, HostStatus.STORAGE_LIMIT, HostStatus.OUT_OF_BOUNDS],
          lastWrite: HostStatus.OK,
          sizeAtEnd: limit,
        });
        const mapped = await instance.storageBytes(MAPPED_AT, MAPPED_BYTES + 10);
        // The guest set the first byte to 0x77 after the sync, with the mapping open: written back at return.
        expect(mapped[0]).toBe(0x77);
        expect([...mapped.subarray(1, MAPPED_BYTES)]).toEqual(Array.from({ length: 99 }, (_, i) => i + 2));
        // The adjacent mapping, written back by its unmap.
        expect([...(await instance.storageBytes(ADJACENT_AT, 10))]).toEqual(
          Array.from({ length: 10 }, () => 0xaa),
        );
        expect([...(await instance.storageBytes(limit - 4, 4))]).toEqual([1, 2, 3, 4]);
        // Frames 0 and 1 (the mappings) and the last frame of the space (the write), nothing else.
        expect(await instance.storageStats()).toEqual({
          size: limit,
          framesStored: 3,
          bytesStored: 3 * FRAME_BYTES,
        });
      });

      it("storage-probe (SDK Storage): a call that answers RUN_ERROR commits nothing, though its map and write answered OK", async () => {
        const instance = await host.open("storage-probe");
        expect(rejection(await instance.run(rolledBackBody))).toBe("rolled back after map 0, write 0");
        expect(await instance.storageStats()).toEqual(EMPTY);
        expect((await instance.storageBytes(0, 104)).every((byte) => byte === 0)).toBe(true);
      });
    });

    describeWhere(!host.reachesInstance)(
      "without JSPI frames cannot load (README: storage needs JSPI)",
      () => {
        it("storage_write answers IO_ERROR (-6) and nothing is stored", async () => {
          const instance = await host.open("storage-writer");
          expect(writerAnswer(okBody(await write(instance, text("hello"))))).toEqual({
            size: 0n,
            status: HostStatus.IO_ERROR,
          });
          expect(await instance.storageStats()).toEqual(EMPTY);
        });

        it("storage_read answers IO_ERROR (-6), which the guest reports, and nothing is stored", async () => {
          const instance = await host.open("hash-map");
          expect(rejection(await instance.run(encodeCommands([put("a", "one")])))).toMatch(
            /storage_read at 0 failed: IO_ERROR \(-6\)$/,
          );
          expect(await instance.storageStats()).toEqual(EMPTY);
        });

        it("storage-probe (SDK Storage): every call that must load a frame answers IO_ERROR (-6), the checks before a load still answer, nothing is stored", async () => {
          const instance = await host.open("storage-probe");
          expect(mappingsAnswer(okBody(await instance.run(mappingsBody(limit))))).toEqual({
            map: HostStatus.IO_ERROR,
            zeroFilled: 1,
            sizeBeforeSync: 0,
            sync: HostStatus.OK,
            sizeAfterSync: 0,
            overlaps: [HostStatus.IO_ERROR, HostStatus.IO_ERROR, HostStatus.IO_ERROR],
            adjacentMap: HostStatus.IO_ERROR,
            unmaps: [HostStatus.NOT_MAPPED, HostStatus.NOT_MAPPED],
            read: HostStatus.IO_ERROR,
            readSeesSync: 0,
            // Refused before any frame loads.
            refusals: [HostStatus.INVALID_ARGUMENT, HostStatus.STORAGE_LIMIT, HostStatus.OUT_OF_BOUNDS],
            lastWrite: HostStatus.IO_ERROR,
            sizeAtEnd: 0,
          });
          expect(await instance.storageStats()).toEqual(EMPTY);
        });

        it("storage-probe (SDK Storage): a call that answers RUN_ERROR after its map and write answered IO_ERROR stores nothing", async () => {
          const instance = await host.open("storage-probe");
          expect(rejection(await instance.run(rolledBackBody))).toBe("rolled back after map -6, write -6");
          expect(await instance.storageStats()).toEqual(EMPTY);
        });
      },
    );
  });
}
