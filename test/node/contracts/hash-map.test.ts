// The hash-map example (contracts/examples/hash-map): a persistent open-addressing
// map in linear storage, driven through `run` on the production edge_storage
// host (a NodeInstance: LinearStorageTables over node:sqlite, the real imports).
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkContractAbi } from "../../../src/code/contract-abi-check.js";
import { parseWasmModule } from "../../../src/code/wasm-sections.js";
import { FRAME_BYTES } from "../../../src/limits.js";
import { edgeStorage } from "../../../src/namespaces/edge-storage.js";
import type { StorageChanges } from "../../../src/protocol/storage-port.js";
import { MEMORY_LIMIT, concat, contractBytes } from "../support/contracts.js";
import { countImportCalls, type ImportCalls } from "../support/import-calls.js";
import { NodeInstance, type NodeInstanceOptions } from "../support/node-instance.js";
import { peek, poke, storedFrames } from "../support/storage-bytes.js";

let hashMap: WebAssembly.Module;

beforeAll(async () => {
  hashMap = new WebAssembly.Module(await contractBytes("hash-map"));
}, 60_000);

// ---- protocol and layout (see contracts/examples/hash-map/README.md) ----

type Command = { op: "put"; key: Uint8Array; value: Uint8Array } | { op: "get" | "delete"; key: Uint8Array };
type Result =
  | { op: "put"; replaced: boolean }
  | { op: "get"; value: Uint8Array | null }
  | { op: "delete"; deleted: boolean };

const text = (s: string) => new TextEncoder().encode(s);
const put = (key: Uint8Array | string, value: Uint8Array | string): Command => ({
  op: "put",
  key: typeof key === "string" ? text(key) : key,
  value: typeof value === "string" ? text(value) : value,
});
const get = (key: Uint8Array | string): Command => ({
  op: "get",
  key: typeof key === "string" ? text(key) : key,
});
const del = (key: Uint8Array | string): Command => ({
  op: "delete",
  key: typeof key === "string" ? text(key) : key,
});

function encode(commands: Command[]): Uint8Array {
  return concat(
    ...commands.map((command) => {
      const head = new Uint8Array([
        command.op === "put" ? 1 : command.op === "get" ? 2 : 3,
        command.key.length,
      ]);
      if (command.op !== "put") return concat(head, command.key);
      const len = new Uint8Array(2);
      new DataView(len.buffer).setUint16(0, command.value.length, true);
      return concat(head, command.key, len, command.value);
    }),
  );
}

function decode(commands: Command[], body: Uint8Array): Result[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  const results = commands.map((command): Result => {
    const flag = body[at++];
    if (flag !== 0 && flag !== 1) throw new Error(`bad flag ${flag} at ${at - 1}`);
    if (command.op === "put") return { op: "put", replaced: flag === 1 };
    if (command.op === "delete") return { op: "delete", deleted: flag === 1 };
    const len = view.getUint16(at, true);
    at += 2;
    if (flag === 0) {
      expect(len).toBe(0);
      return { op: "get", value: null };
    }
    at += len;
    return { op: "get", value: body.slice(at - len, at) };
  });
  expect(at).toBe(body.length);
  return results;
}

/** A fresh instance: its linear storage starts empty. */
const newInstance = (options?: NodeInstanceOptions) => new NodeInstance(options);
const storeOf = (instance: NodeInstance) => instance.hosts.store(edgeStorage);

/** Frames whose bytes the last call changed (what it handed back for commit). */
const changedFrames = (instance: NodeInstance) =>
  ((instance.lastChanges[edgeStorage.name] as StorageChanges | undefined)?.writes ?? []).map(
    (write) => write.index,
  );

async function runOk(instance: NodeInstance, commands: Command[]): Promise<Result[]> {
  const outcome = await instance.run(hashMap, encode(commands));
  if (outcome.kind !== "ok") throw new Error(`run failed: ${JSON.stringify(outcome)}`);
  return decode(commands, outcome.body);
}

async function runError(instance: NodeInstance, body: Uint8Array): Promise<string> {
  const store = storeOf(instance);
  const before = { frames: storedFrames(instance.sql, store), size: store.size() };
  const outcome = await instance.run(hashMap, body);
  if (outcome.kind !== "error") throw new Error(`expected RUN_ERROR, got ${outcome.kind}`);
  // Whatever the call wrote was handed back and dropped: storage is as it was.
  expect({ frames: storedFrames(instance.sql, store), size: store.size() }).toEqual(before);
  return outcome.message;
}

const MAX_SLOTS = 982_980;
const SLOT_BYTES = 1092;
const slotOffset = (index: number) => (1 + Math.floor(index / 60)) * FRAME_BYTES + (index % 60) * SLOT_BYTES;

function header(instance: NodeInstance) {
  const view = new DataView(peek(storeOf(instance), 0, 24).buffer);
  const u32 = (at: number) => view.getUint32(at, true);
  return {
    magic: u32(0),
    version: u32(4),
    slotBytes: u32(8),
    slotCount: u32(12),
    live: u32(16),
    tombstones: u32(20),
  };
}

/** An instance whose map was created with `slotCount` slots (the header is honoured up to 982,980). */
function smallMap(slotCount: number): NodeInstance {
  const instance = newInstance();
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  [0x50414d48, 1, SLOT_BYTES, slotCount, 0, 0].forEach((value, i) => view.setUint32(i * 4, value, true));
  poke(instance.sql, storeOf(instance), 0, bytes);
  return instance;
}

function slot(instance: NodeInstance, index: number) {
  const bytes = peek(storeOf(instance), slotOffset(index), SLOT_BYTES);
  const view = new DataView(bytes.buffer);
  return {
    flag: bytes[0],
    key: new TextDecoder().decode(bytes.subarray(4, 4 + bytes[1]!)),
    value: bytes.slice(68, 68 + view.getUint16(2, true)),
  };
}

const MASK = (1n << 64n) - 1n;
/** The home slot: FNV-1a 64 with MurmurHash3's fmix64, modulo the slot count. */
function home(key: string, slotCount: number): number {
  let h = 0xcbf29ce484222325n;
  for (const byte of text(key)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & MASK;
  h ^= h >> 33n;
  h = (h * 0xff51afd7ed558ccdn) & MASK;
  h ^= h >> 33n;
  h = (h * 0xc4ceb9fe1a85ec53n) & MASK;
  h ^= h >> 33n;
  return Number(h % BigInt(slotCount));
}

/** `count` distinct keys whose home slot is `target`. */
function keysHomedAt(target: number, slotCount: number, count: number, prefix = "k"): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++)
    if (home(`${prefix}${i}`, slotCount) === target) out.push(`${prefix}${i}`);
  return out;
}

// ---- tests ----

describe("hash-map: module", () => {
  it("offers the generic run entry and imports only what it uses", async () => {
    const bytes = await contractBytes("hash-map");
    expect(checkContractAbi(parseWasmModule(bytes), MEMORY_LIMIT)).toBe("run");
    const names = (list: Array<{ module?: string; name: string }>) =>
      list.map((e) => (e.module ? `${e.module}.${e.name}` : e.name)).toSorted();
    expect(names(WebAssembly.Module.exports(hashMap))).toEqual([
      "__frnt__initiate_buffer",
      "__frnt_set_id",
      "memory",
      "run",
    ]);
    expect(names(WebAssembly.Module.imports(hashMap))).toEqual([
      "edge_storage.storage_read",
      "edge_storage.storage_write",
      "freenet_contract_io.__frnt__fill_buffer",
    ]);
  });
});

describe("hash-map: commands", () => {
  it("puts, gets, replaces and deletes, persisting across calls", async () => {
    const instance = newInstance();
    expect(await runOk(instance, [get("a"), del("a")])).toEqual([
      { op: "get", value: null },
      { op: "delete", deleted: false },
    ]);
    expect(storeOf(instance).stats()).toEqual({ size: 0, framesStored: 0, bytesStored: 0 }); // reads alone write nothing, not even the header
    expect(await runOk(instance, [put("a", "one"), put("b", ""), get("a"), get("b")])).toEqual([
      { op: "put", replaced: false },
      { op: "put", replaced: false },
      { op: "get", value: text("one") },
      { op: "get", value: new Uint8Array(0) },
    ]);
    expect(await runOk(instance, [put("a", "two"), get("a"), del("b"), get("b"), del("b")])).toEqual([
      { op: "put", replaced: true },
      { op: "get", value: text("two") },
      { op: "delete", deleted: true },
      { op: "get", value: null },
      { op: "delete", deleted: false },
    ]);
    expect(header(instance)).toEqual({
      magic: 0x50414d48,
      version: 1,
      slotBytes: SLOT_BYTES,
      slotCount: MAX_SLOTS,
      live: 1,
      tombstones: 0,
    });
    const a = slot(instance, home("a", MAX_SLOTS));
    expect(a).toEqual({ flag: 1, key: "a", value: text("two") });
  });

  it("answers an empty body with an empty body", async () => {
    expect(await runOk(newInstance(), [])).toEqual([]);
  });

  it("takes keys up to 64 bytes (the empty key too) and values up to 1 KiB", async () => {
    const instance = newInstance();
    const key = new Uint8Array(64).fill(7);
    const value = Uint8Array.from({ length: 1024 }, (_, i) => i & 255);
    expect(await runOk(instance, [put(key, value), put("", "empty key"), get(key), get("")])).toEqual([
      { op: "put", replaced: false },
      { op: "put", replaced: false },
      { op: "get", value },
      { op: "get", value: text("empty key") },
    ]);
    // A 63-byte prefix of the key is another key.
    expect(await runOk(instance, [get(key.subarray(0, 63))])).toEqual([{ op: "get", value: null }]);
  });

  it("rejects malformed commands and commits nothing of a failed batch", async () => {
    const instance = newInstance();
    await runOk(instance, [put("kept", "1")]);
    const committed = storedFrames(instance.sql, storeOf(instance));
    const ok = encode([put("lost", "x"), del("kept")]);
    const cases: Array<[Uint8Array, RegExp]> = [
      [encode([put(new Uint8Array(65), "v")]), /^command 0: key of 65 bytes \(at most 64\)$/],
      [encode([get(new Uint8Array(200))]), /^command 0: key of 200 bytes/],
      [encode([put("k", new Uint8Array(1025))]), /^command 0: value of 1025 bytes \(at most 1024\)$/],
      [concat(ok, new Uint8Array([4, 1, 0x61])), /^command 2: unknown op 4$/],
      [concat(ok, new Uint8Array([0])), /^command 2: unknown op 0$/],
      [concat(ok, new Uint8Array([1])), /^command 2: truncated/],
      [concat(ok, new Uint8Array([1, 3, 0x61])), /^command 2: truncated/],
      [concat(ok, encode([put("k", "value")]).subarray(0, 5)), /^command 2: truncated/],
      [concat(ok, encode([put("k", "value")]).subarray(0, 8)), /^command 2: truncated/],
    ];
    for (const [body, message] of cases) expect(await runError(instance, body)).toMatch(message);
    expect(storedFrames(instance.sql, storeOf(instance))).toEqual(committed);
    expect(await runOk(instance, [get("kept"), get("lost")])).toEqual([
      { op: "get", value: text("1") },
      { op: "get", value: null },
    ]);
  });

  it("refuses storage that holds something else", async () => {
    const instance = newInstance();
    poke(instance.sql, storeOf(instance), 0, text("not a map"));
    expect(await runError(instance, encode([get("a")]))).toMatch(/^storage does not hold a hash map/);
    const bad = smallMap(MAX_SLOTS + 1);
    expect(await runError(bad, encode([get("a")]))).toBe(`corrupt header: slot count ${MAX_SLOTS + 1}`);
  });

  it("reports a failing storage call as an error", async () => {
    // The slots of frame 16 and beyond are past the limit.
    const instance = newInstance({ settings: { storageLimitBytes: 1 << 20 } });
    const far = Array.from({ length: 10 }, (_, i) => `far${i}`).find((k) => home(k, MAX_SLOTS) >= 15 * 60)!;
    expect(await runError(instance, encode([get(far)]))).toMatch(
      /^command 0: storage_read at \d+ failed: STORAGE_LIMIT \(-5\)$/,
    );
  });
});

describe("hash-map: probing and tombstones", () => {
  it("probes past collisions and tombstones, and reuses a tombstone", async () => {
    const instance = smallMap(8);
    const [a, b, c, d] = keysHomedAt(5, 8, 4);
    await runOk(instance, [put(a!, "A"), put(b!, "B"), put(c!, "C")]);
    expect([5, 6, 7].map((i) => slot(instance, i).key)).toEqual([a, b, c]);

    // b sits between a and c: deleting it leaves a tombstone so c stays reachable.
    expect(await runOk(instance, [del(b!), get(c!), get(b!)])).toEqual([
      { op: "delete", deleted: true },
      { op: "get", value: text("C") },
      { op: "get", value: null },
    ]);
    expect(slot(instance, 6).flag).toBe(2);
    expect(header(instance)).toMatchObject({ live: 2, tombstones: 1 });

    // A new key on that probe path takes the tombstone.
    expect(await runOk(instance, [put(d!, "D")])).toEqual([{ op: "put", replaced: false }]);
    expect(slot(instance, 6)).toEqual({ flag: 1, key: d, value: text("D") });
    expect(header(instance)).toMatchObject({ live: 3, tombstones: 0 });

    // The cluster wraps around: the next key homed at 5 lands in slot 0.
    const [e] = keysHomedAt(5, 8, 1, "e");
    await runOk(instance, [put(e!, "E")]);
    expect(slot(instance, 0).key).toBe(e);
    expect(await runOk(instance, [get(e!)])).toEqual([{ op: "get", value: text("E") }]);
  });

  it("turns trailing tombstones back into empty slots", async () => {
    const instance = smallMap(8);
    const [a, b, c] = keysHomedAt(2, 8, 3);
    await runOk(instance, [put(a!, "A"), put(b!, "B"), put(c!, "C"), del(b!)]);
    expect(header(instance)).toMatchObject({ live: 2, tombstones: 1 });
    // c ends the cluster: its slot and the tombstone before it become empty.
    await runOk(instance, [del(c!)]);
    expect([2, 3, 4].map((i) => slot(instance, i).flag)).toEqual([1, 0, 0]);
    expect(header(instance)).toMatchObject({ live: 1, tombstones: 0 });
    expect(await runOk(instance, [get(a!), get(b!), get(c!)])).toEqual([
      { op: "get", value: text("A") },
      { op: "get", value: null },
      { op: "get", value: null },
    ]);
  });

  it("keeps 1/8 of the slots empty and says when the map is full", async () => {
    const instance = smallMap(8);
    const keys = Array.from({ length: 8 }, (_, i) => `key${i}`);
    await runOk(
      instance,
      keys.slice(0, 7).map((k) => put(k, k)),
    );
    expect(await runError(instance, encode([put(keys[7]!, "x")]))).toBe(
      "command 0: map full: 7 live entries and 0 tombstones in 8 slots",
    );
    // Replacing needs no new slot; a deleted key can come back into its own slot.
    expect(
      await runOk(instance, [put(keys[0]!, "new"), del(keys[1]!), put(keys[1]!, "back"), get(keys[1]!)]),
    ).toEqual([
      { op: "put", replaced: true },
      { op: "delete", deleted: true },
      { op: "put", replaced: false },
      { op: "get", value: text("back") },
    ]);
  });

  it("counts tombstones toward the load limit until a key on their path reuses them", async () => {
    const instance = smallMap(8);
    const [a, b, c, x] = keysHomedAt(0, 8, 4);
    const tail = keysHomedAt(4, 8, 4);
    await runOk(
      instance,
      [a!, b!, c!, ...tail].map((k) => put(k, k)),
    );
    // Slots 0-2 and 4-7 are live, 3 is empty; deleting b leaves a tombstone in slot 1.
    await runOk(instance, [del(b!)]);
    expect(header(instance)).toMatchObject({ live: 6, tombstones: 1 });
    // A key homed at 3 would take the last empty slot: refused.
    const [y] = keysHomedAt(3, 8, 1, "y");
    expect(await runError(instance, encode([put(y!, "y")]))).toBe(
      "command 0: map full: 6 live entries and 1 tombstones in 8 slots",
    );
    // A key homed at 0 passes the tombstone first and takes it.
    expect(await runOk(instance, [put(x!, "x"), get(x!), get(c!)])).toEqual([
      { op: "put", replaced: false },
      { op: "get", value: text("x") },
      { op: "get", value: text(c!) },
    ]);
    expect(slot(instance, 1).key).toBe(x);
    expect(header(instance)).toMatchObject({ live: 7, tombstones: 0 });
  });
});

describe("hash-map: storage traffic", () => {
  let writes: ImportCalls | undefined;
  afterEach(() => writes?.restore());

  it("changes at most two frames per put: the slot's and the header's", async () => {
    const loaded: number[][] = [];
    const instance = newInstance({ onFrameLoad: (indices) => loaded.push([...indices]) });
    writes = countImportCalls(edgeStorage, "storage_write");
    for (let i = 0; i < 100; i++) {
      const key = `key-${i}`;
      loaded.length = 0;
      writes.reset();
      await runOk(instance, [put(key, "v".repeat(i * 10))]);
      const slotFrame = Math.floor(slotOffset(home(key, MAX_SLOTS)) / FRAME_BYTES);
      // The frames the call touched are the frames it loaded: each once, from the instance.
      expect(loaded.flat().toSorted((a, b) => a - b)).toEqual([0, slotFrame].toSorted((a, b) => a - b));
      expect(changedFrames(instance)).toEqual(loaded.flat().toSorted((a, b) => a - b));
      expect(writes.count).toBe(2); // the slot, then the header once at the end
    }
    // A replace leaves the counts alone: one frame.
    await runOk(instance, [put("key-7", "other")]);
    expect(changedFrames(instance)).toEqual([Math.floor(slotOffset(home("key-7", MAX_SLOTS)) / FRAME_BYTES)]);
    expect(storeOf(instance).size()).toBeLessThanOrEqual(1 << 30);
  });
});

describe("hash-map: model", () => {
  const keySpace = Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? `k${i}`.padEnd(64, "*") : `k${i}`));
  const command: fc.Arbitrary<Command> = fc.oneof(
    fc
      .tuple(fc.constantFrom(...keySpace), fc.nat({ max: 1024 }), fc.nat({ max: 255 }))
      .map(([key, len, fill]) => put(key, new Uint8Array(len).fill(fill))),
    fc.constantFrom(...keySpace).map(get),
    fc.constantFrom(...keySpace).map(del),
  );

  async function check(instance: NodeInstance, commands: Command[], batch: number): Promise<void> {
    const model = new Map<string, Uint8Array>();
    const decoder = new TextDecoder();
    for (let start = 0; start < commands.length; start += batch) {
      const chunk = commands.slice(start, start + batch);
      const results = await runOk(instance, chunk);
      const expected = chunk.map((c): Result => {
        const key = decoder.decode(c.key);
        if (c.op === "put") {
          const replaced = model.has(key);
          model.set(key, c.value);
          return { op: "put", replaced };
        }
        if (c.op === "get") return { op: "get", value: model.get(key) ?? null };
        return { op: "delete", deleted: model.delete(key) };
      });
      expect(results).toEqual(expected);
      expect(header(instance).live).toBe(model.size);
    }
  }

  it("matches a Map over 10,000 random commands in batches of 200", async () => {
    expect.hasAssertions();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10_000, maxLength: 10_000 }), (commands) =>
        check(newInstance(), commands, 200),
      ),
      { numRuns: 1 },
    );
  }, 120_000);

  it("matches a Map on a 32-slot table (long clusters, wrap-around, tombstones)", async () => {
    expect.hasAssertions();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 2000, maxLength: 2000 }), (commands) =>
        check(smallMap(32), commands, 50),
      ),
      { numRuns: 5 },
    );
  }, 120_000);

  it("after 2,000 commands, still matches the Map and a new key changes only its slot's frame and the header's", async () => {
    expect.hasAssertions();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 2000, maxLength: 2000 }), async (commands) => {
        const instance = newInstance();
        await check(instance, commands, 200);
        for (let i = 0; i < 50; i++) {
          const key = `new-${i}`;
          expect(await runOk(instance, [put(key, "v")])).toEqual([{ op: "put", replaced: false }]);
          const slotFrame = Math.floor(slotOffset(home(key, MAX_SLOTS)) / FRAME_BYTES);
          expect(changedFrames(instance)).toEqual([0, slotFrame].toSorted((a, b) => a - b));
        }
      }),
      { numRuns: 1 },
    );
  }, 120_000);
});
