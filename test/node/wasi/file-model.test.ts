// Property tests of the WASI host's file content against a plain model: random
// writes at random offsets and sizes, truncations, growth and renames, across
// page boundaries, through a small write buffer (so pages are staged and read
// back) and across commits, must read back exactly what the model holds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Descriptor } from "../../../src/guest-abi/wasi/descriptor.js";
import { bindWasi, type WasiBinding } from "../../../src/guest-abi/wasi/wasi-imports.js";
import { UNMETERED } from "../../../src/metering/fuel-meter.js";
import { FILE_PAGE_BYTES } from "../../../src/protocol/files-port.js";
import type { WasiFilesStore } from "../../support/conformance/wasi-files-host.js";
import { pattern, readAll, RW } from "../../support/conformance/wasi-files-calls.js";
import { memoryFilesHost, sqlFilesHost } from "../conformance/wasi-files-host.js";

const PAGE = FILE_PAGE_BYTES;
const NAMES = ["a", "b"] as const;
type Name = (typeof NAMES)[number];

type Op =
  | { kind: "write"; file: Name; offset: number; length: number; seed: number; stream: boolean }
  | { kind: "setSize"; file: Name; size: number }
  | { kind: "swap" }
  | { kind: "read"; file: Name; offset: number; length: number }
  | { kind: "commit" };

const name = fc.constantFrom(...NAMES);
const anOffset = fc.oneof(
  fc.integer({ min: 0, max: 3 * PAGE }),
  fc.constantFrom(PAGE - 1, PAGE, 2 * PAGE + 1),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("write" as const),
      file: name,
      offset: anOffset,
      length: fc.integer({ min: 0, max: PAGE + 300 }),
      seed: fc.nat(1000),
      stream: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("setSize" as const), file: name, size: anOffset }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("swap" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("read" as const),
      file: name,
      offset: anOffset,
      length: fc.integer({ min: 0, max: 2 * PAGE }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("commit" as const) }) },
);

function resized(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes.subarray(0, size));
  return out;
}

class Session {
  wasi!: WasiBinding;
  root!: Descriptor;
  constructor(readonly store: WasiFilesStore) {}

  start(): void {
    this.wasi = bindWasi(this.store.port(), { meter: UNMETERED, fuelUsed: () => 0 });
    const preopens = (
      this.wasi.imports["wasi:filesystem/preopens"]!.getDirectories as () => Array<[Descriptor, string]>
    )();
    this.root = preopens[0]![0];
  }

  async commit(): Promise<void> {
    const changes = await this.wasi.finish();
    if (changes) this.store.commit(changes, 1);
    this.start();
  }

  open(file: Name): Promise<Descriptor> {
    return this.root.openAt({}, file, { create: true }, RW);
  }
}

async function checkRead(file: Descriptor, model: Uint8Array, offset: number, length: number): Promise<void> {
  const [bytes, end] = await file.read(BigInt(length), BigInt(offset));
  expect(bytes).toEqual(model.subarray(offset, offset + length));
  expect(end).toBe(offset + bytes.length >= model.length);
}

async function run(store: WasiFilesStore, ops: Op[]): Promise<void> {
  const model = new Map<Name, Uint8Array>(NAMES.map((n) => [n, new Uint8Array(0)]));
  const session = new Session(store);
  session.start();
  const check = async (file: Name) => {
    const bytes = await readAll((await session.open(file)).readViaStream(0n), 50_000);
    expect(bytes).toEqual(model.get(file));
  };
  for (const step of ops) {
    if (step.kind === "write") {
      const data = pattern(step.length, step.seed + 1);
      const file = await session.open(step.file);
      if (step.stream) await file.writeViaStream(BigInt(step.offset)).blockingWriteAndFlush(data);
      else await file.write(data, BigInt(step.offset));
      const old = model.get(step.file)!;
      const next = resized(old, Math.max(old.length, step.offset + step.length));
      next.set(data, step.offset);
      model.set(step.file, next);
    } else if (step.kind === "setSize") {
      await (await session.open(step.file)).setSize(BigInt(step.size));
      model.set(step.file, resized(model.get(step.file)!, step.size));
    } else if (step.kind === "swap") {
      await session.open("a");
      await session.open("b");
      await session.root.renameAt("a", session.root, "tmp");
      await session.root.renameAt("b", session.root, "a");
      await session.root.renameAt("tmp", session.root, "b");
      const a = model.get("a")!;
      model.set("a", model.get("b")!);
      model.set("b", a);
    } else if (step.kind === "read") {
      await checkRead(await session.open(step.file), model.get(step.file)!, step.offset, step.length);
    } else {
      await session.commit();
    }
  }
  for (const file of NAMES) await check(file);
  await session.commit();
  for (const file of NAMES) await check(file);
}

describe("file content against a model", () => {
  for (const host of [memoryFilesHost, sqlFilesHost]) {
    it(`random writes, truncations and renames read back as the model says (${host.name})`, async () => {
      const checked = fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
          await run(host.open({ writeBufferBytes: PAGE, readAheadPages: 2 }), ops);
        }),
        { numRuns: 40 },
      );
      await expect(checked).resolves.toBeUndefined();
    }, 120_000);
  }
});
