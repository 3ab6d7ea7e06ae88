import { readFileSync } from "node:fs";
import fc from "fast-check";
import createWabt from "wabt";
import { beforeAll, describe, expect, it } from "vitest";
import { GuestMemory } from "../../../src/guest-abi/guest-memory.js";
import { HostStatus } from "../../../src/protocol/host-status.js";
import {
  FrameTable,
  STORAGE_FRAME_BYTES,
  type FrameWrite,
} from "../../../src/guest-abi/edge-storage/frame-table.js";
import { PageTable } from "../../../src/guest-abi/edge-storage/mapping-table.js";
import { storageImports, writeBackAll } from "../../../src/guest-abi/edge-storage/storage-imports.js";
import { UNMETERED } from "../../../src/metering/fuel-meter.js";

interface Shim {
  memory: WebAssembly.Memory;
  map(mem: number, offset: bigint, length: number): number;
  unmap(mem: number): number;
  sync(): number;
  size(): bigint;
  read(mem: number, offset: bigint, length: number): number;
  write(offset: bigint, mem: number, length: number): number;
}

let shimModule: WebAssembly.Module;
beforeAll(async () => {
  const wabt = await createWabt();
  const text = readFileSync(new URL("../fixtures/storage-shim.wat", import.meta.url), "utf8");
  shimModule = new WebAssembly.Module(
    wabt.parseWat("shim.wat", text).toBinary({}).buffer as Uint8Array<ArrayBuffer>,
  );
});

const LIMIT = 1 << 30;

/** A call's storage over a Map of stored frames (the DO's rows), with synchronous loads. */
function setup(stored = new Map<number, Uint8Array>(), size = 0, budget = 64 * STORAGE_FRAME_BYTES) {
  const loads: number[][] = [];
  const frames = new FrameTable(
    { read: (indices) => (loads.push(indices), indices.map((i) => stored.get(i) ?? null)) },
    size,
    budget,
  );
  const pages = new PageTable();
  let memory: GuestMemory | undefined;
  const ctx = { memory: () => memory!, frames, pages, limitBytes: LIMIT, jspi: false, meter: UNMETERED };
  const instance = new WebAssembly.Instance(shimModule, { edge_storage: storageImports(ctx) });
  const shim = instance.exports as unknown as Shim;
  memory = new GuestMemory(shim.memory, 64 << 20);
  const bytes = (at: number, length: number) => new Uint8Array(shim.memory.buffer, at, length).slice();
  const poke = (at: number, data: Uint8Array) => new Uint8Array(shim.memory.buffer).set(data, at);
  const finish = (): FrameWrite[] => {
    writeBackAll(ctx);
    return frames.dirty();
  };
  return { shim, frames, loads, bytes, poke, finish };
}

describe("edge_storage imports", () => {
  it("reads unwritten storage as zeros and stores nothing for it", () => {
    const { shim, poke, bytes, finish } = setup();
    poke(0, new Uint8Array(100).fill(9));
    expect(shim.read(0, 5_000_000n, 100)).toBe(HostStatus.OK);
    expect(bytes(0, 100)).toEqual(new Uint8Array(100));
    expect(shim.map(4096, 123_456_789n, 70_000)).toBe(HostStatus.OK);
    expect(bytes(4096, 70_000).every((b) => b === 0)).toBe(true);
    expect(finish()).toEqual([]);
    expect(shim.size()).toBe(0n);
  });

  it("refuses overlapping and duplicate mappings, in memory and in storage", () => {
    const { shim } = setup();
    expect(shim.map(0, 0n, 1000)).toBe(HostStatus.OK);
    expect(shim.map(0, 5000n, 10)).toBe(HostStatus.OVERLAP); // same address
    expect(shim.map(500, 9000n, 10)).toBe(HostStatus.OVERLAP); // memory overlap
    expect(shim.map(2000, 999n, 10)).toBe(HostStatus.OVERLAP); // storage overlap
    expect(shim.map(1000, 1000n, 10)).toBe(HostStatus.OK); // adjacent is fine
  });

  it("one changed byte in a large mapped region writes exactly one frame", () => {
    const stored = new Map([[3, new Uint8Array(STORAGE_FRAME_BYTES).fill(1)]]);
    const { shim, poke, finish } = setup(stored, 4 * STORAGE_FRAME_BYTES);
    expect(shim.map(0, 0n, 3 * STORAGE_FRAME_BYTES)).toBe(HostStatus.OK);
    poke(STORAGE_FRAME_BYTES + 17, Uint8Array.of(42));
    const writes = finish();
    expect(writes.map((w) => w.index)).toEqual([1]);
    expect(writes[0]!.bytes![17]).toBe(42);
  });

  it("unmap and sync write back; an untouched mapping writes nothing", () => {
    const { shim, poke, frames, finish } = setup();
    shim.map(0, 0n, 100);
    shim.map(200, 200_000n, 100);
    poke(0, Uint8Array.of(7));
    expect(shim.unmap(0)).toBe(HostStatus.OK);
    expect(frames.dirty().map((w) => w.index)).toEqual([0]);
    expect(shim.unmap(0)).toBe(HostStatus.NOT_MAPPED);
    poke(250, Uint8Array.of(8));
    expect(shim.sync()).toBe(HostStatus.OK);
    expect(frames.dirty().map((w) => w.index)).toEqual([0, 3]);
    expect(finish().map((w) => w.index)).toEqual([0, 3]);
    expect(shim.size()).toBe(200_051n);
  });

  it("refuses ranges beyond the storage limit, outside memory, or negative", () => {
    const { shim } = setup();
    expect(shim.map(0, BigInt(LIMIT) - 10n, 11)).toBe(HostStatus.STORAGE_LIMIT);
    expect(shim.map(0, BigInt(LIMIT) - 10n, 10)).toBe(HostStatus.OK);
    expect(shim.read(4 * 65536 - 5, 0n, 10)).toBe(HostStatus.OUT_OF_BOUNDS);
    expect(shim.write(-1n, 0, 10)).toBe(HostStatus.INVALID_ARGUMENT);
    expect(shim.read(0, 0n, -1)).toBe(HostStatus.INVALID_ARGUMENT);
  });

  it("refuses to hold more frames than the call's budget", () => {
    const { shim } = setup(new Map(), 0, 2 * STORAGE_FRAME_BYTES);
    expect(shim.read(0, 0n, 3 * STORAGE_FRAME_BYTES)).toBe(HostStatus.STORAGE_LIMIT);
    expect(shim.read(0, 0n, 2 * STORAGE_FRAME_BYTES)).toBe(HostStatus.OK);
  });

  it("writing zeros over stored bytes deletes the frame; writing zeros to a hole stores nothing", () => {
    const stored = new Map([[0, new Uint8Array(STORAGE_FRAME_BYTES).fill(5)]]);
    const { shim, finish } = setup(stored, STORAGE_FRAME_BYTES);
    expect(shim.write(0n, 100_000, STORAGE_FRAME_BYTES)).toBe(HostStatus.OK);
    expect(shim.write(BigInt(STORAGE_FRAME_BYTES) * 9n, 100_000, 10)).toBe(HostStatus.OK);
    expect(finish()).toEqual([{ index: 0, bytes: null }]);
    expect(shim.size()).toBe(BigInt(STORAGE_FRAME_BYTES * 9 + 10));
  });

  it("write/read round trips against a byte-array model (any offsets, any lengths)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 300_000 }), fc.uint8Array({ minLength: 1, maxLength: 3000 })), {
          maxLength: 12,
        }),
        (writes) => {
          const { shim, poke, bytes, finish } = setup();
          const model = new Uint8Array(6 * STORAGE_FRAME_BYTES);
          for (const [offset, data] of writes) {
            poke(0, data);
            expect(shim.write(BigInt(offset), 0, data.length)).toBe(HostStatus.OK);
            model.set(data, offset);
          }
          expect(shim.read(0, 0n, 200_000)).toBe(HostStatus.OK);
          expect(bytes(0, 200_000)).toEqual(model.subarray(0, 200_000));
          for (const write of finish()) {
            const expected = model.subarray(
              write.index * STORAGE_FRAME_BYTES,
              (write.index + 1) * STORAGE_FRAME_BYTES,
            );
            expect(write.bytes ?? new Uint8Array(STORAGE_FRAME_BYTES)).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
