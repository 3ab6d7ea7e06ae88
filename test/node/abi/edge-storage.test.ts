// The edge_storage imports (the namespace's sandbox half, bindStorage) driven
// by a WAT shim that calls each one, over a StoragePort whose frames come
// from a Map (the DO's rows), answered synchronously.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import createWabt from "wabt";
import { beforeAll, describe, expect, it } from "vitest";
import { bindStorage } from "../../../src/guest-abi/edge-storage/storage-imports.js";
import { GuestMemory } from "../../../src/guest-abi/guest-memory.js";
import { FRAME_BYTES } from "../../../src/limits.js";
import { UNMETERED } from "../../../src/metering/fuel-meter.js";
import type { GuestCall } from "../../../src/namespaces/host-namespace.js";
import { HostStatus } from "../../../src/protocol/host-status.js";
import type { FrameWrite, StoragePort } from "../../../src/protocol/storage-port.js";

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

/** One call's storage over a Map of stored frames (the DO's rows), with synchronous loads. */
function setup(stored = new Map<number, Uint8Array>(), size = 0, budget = 64 * FRAME_BYTES) {
  const loads: number[][] = [];
  const port: StoragePort = {
    frames: { read: (indices) => (loads.push(indices), indices.map((i) => stored.get(i) ?? null)) },
    size,
    limitBytes: LIMIT,
    frameBudgetBytes: budget,
  };
  let memory: GuestMemory | undefined;
  const call: GuestCall = {
    memory: () => memory ?? fail("memory used before instantiation"),
    inputs: () => fail("the shim takes no input"),
    blocks: () => fail("the shim uses no blocks"),
    log: () => {},
    now: () => new Date(0),
    jspi: false,
    localPorts: true,
    meter: UNMETERED,
    checkpoint: () => ({}),
    refresh: async () => {},
  };
  const binding = bindStorage(call, port);
  const instance = new WebAssembly.Instance(shimModule, { edge_storage: binding.imports });
  const shim = instance.exports as unknown as Shim;
  memory = new GuestMemory(shim.memory, 64 << 20);
  const bytes = (at: number, length: number) => new Uint8Array(shim.memory.buffer, at, length).slice();
  const poke = (at: number, data: Uint8Array) => new Uint8Array(shim.memory.buffer).set(data, at);
  /** What the call hands back when its export returns: every mapping written back, the changed frames. */
  const finish = (): FrameWrite[] =>
    binding.finish?.()?.writes ?? fail("a call with a port hands back its changes");
  return { shim, loads, bytes, poke, finish };
}

function fail(message: string): never {
  throw new Error(message);
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
    const stored = new Map([[3, new Uint8Array(FRAME_BYTES).fill(1)]]);
    const { shim, poke, finish, loads } = setup(stored, 4 * FRAME_BYTES);
    expect(shim.map(0, 0n, 3 * FRAME_BYTES)).toBe(HostStatus.OK);
    expect(loads).toEqual([[0, 1, 2]]); // the mapping's frames, in one round trip
    poke(FRAME_BYTES + 17, Uint8Array.of(42));
    const writes = finish();
    expect(writes.map((w) => w.index)).toEqual([1]);
    expect(writes[0]!.bytes![17]).toBe(42);
  });

  it("unmap and sync write back; an untouched mapping writes nothing", () => {
    const { shim, poke, bytes, finish } = setup();
    shim.map(0, 0n, 100);
    shim.map(200, 200_000n, 100);
    poke(0, Uint8Array.of(7));
    expect(shim.unmap(0)).toBe(HostStatus.OK);
    // Written back at unmap: storage holds the byte (size, and a read into other memory).
    expect(shim.size()).toBe(1n);
    expect(shim.read(5000, 0n, 1)).toBe(HostStatus.OK);
    expect(bytes(5000, 1)).toEqual(Uint8Array.of(7));
    // What the call would hand back now: frame 0 only, the untouched mapping adds nothing.
    expect(finish().map((w) => w.index)).toEqual([0]);
    expect(shim.unmap(0)).toBe(HostStatus.NOT_MAPPED);
    poke(250, Uint8Array.of(8));
    expect(shim.read(5000, 200_050n, 1)).toBe(HostStatus.OK);
    expect(bytes(5000, 1)).toEqual(Uint8Array.of(0)); // not yet: the mapping holds it
    expect(shim.sync()).toBe(HostStatus.OK);
    expect(shim.size()).toBe(200_051n);
    expect(shim.read(5000, 200_050n, 1)).toBe(HostStatus.OK);
    expect(bytes(5000, 1)).toEqual(Uint8Array.of(8));
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
    const { shim } = setup(new Map(), 0, 2 * FRAME_BYTES);
    expect(shim.read(0, 0n, 3 * FRAME_BYTES)).toBe(HostStatus.STORAGE_LIMIT);
    expect(shim.read(0, 0n, 2 * FRAME_BYTES)).toBe(HostStatus.OK);
  });

  it("writing zeros over stored bytes deletes the frame; writing zeros to a hole stores nothing", () => {
    const stored = new Map([[0, new Uint8Array(FRAME_BYTES).fill(5)]]);
    const { shim, finish } = setup(stored, FRAME_BYTES);
    expect(shim.write(0n, 100_000, FRAME_BYTES)).toBe(HostStatus.OK);
    expect(shim.write(BigInt(FRAME_BYTES) * 9n, 100_000, 10)).toBe(HostStatus.OK);
    expect(finish()).toEqual([{ index: 0, bytes: null }]);
    expect(shim.size()).toBe(BigInt(FRAME_BYTES * 9 + 10));
  });

  // 60 runs of up to 12 writes and a 200 KB read: ~3.6 s alone, past 5 s beside the other files in CI.
  it("write/read round trips against a byte-array model (any offsets, any lengths)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 300_000 }), fc.uint8Array({ minLength: 1, maxLength: 3000 })), {
          maxLength: 12,
        }),
        (writes) => {
          const { shim, poke, bytes, finish } = setup();
          const model = new Uint8Array(6 * FRAME_BYTES);
          for (const [offset, data] of writes) {
            poke(0, data);
            expect(shim.write(BigInt(offset), 0, data.length)).toBe(HostStatus.OK);
            model.set(data, offset);
          }
          expect(shim.read(0, 0n, 200_000)).toBe(HostStatus.OK);
          expect(bytes(0, 200_000)).toEqual(model.subarray(0, 200_000));
          for (const write of finish()) {
            const expected = model.subarray(write.index * FRAME_BYTES, (write.index + 1) * FRAME_BYTES);
            expect(write.bytes ?? new Uint8Array(FRAME_BYTES)).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 30_000);
});
