// Property: any sequence of create, clone, attach, write, detach and drop on
// the real BlockTable (over real wasm memory) does what a plain model of the
// ownership rules (docs/memory-blocks.md) says: the same answers, the same
// traps, the same bytes in every area, the same live byte count.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EdgeError } from "../../../src/errors.js";
import { BlockTable } from "../../../src/guest-abi/shm/block-table.js";
import { GuestMemory } from "../../../src/guest-abi/guest-memory.js";
import { ATTACH_SHARED, ATTACH_WRITE, ShmError } from "../../../src/guest-abi/shm/shm-abi.js";

interface ModelBlock {
  size: number;
  valid: number[];
  handles: number;
  attaches: Set<ModelAttach>;
}
interface ModelAttach {
  write: boolean;
  shared: boolean;
  addr: number;
  size: number;
  slot: ModelSlot;
}
interface ModelSlot {
  addr: number;
  size: number;
  busy: boolean;
}
interface ModelHandle {
  block: ModelBlock;
  readOnly: boolean;
  attached: ModelAttach | null;
}

type Op =
  | { kind: "create"; size: number }
  | { kind: "clone"; pick: number }
  | { kind: "attach"; pick: number; flags: number }
  | { kind: "write"; pick: number; seed: number }
  /** `percent` of the attached size (over 100: more than it holds). */
  | { kind: "detach"; pick: number; percent: number }
  | { kind: "drop"; pick: number }
  | { kind: "storage"; size: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), size: fc.integer({ min: 1, max: 48 }) }),
  fc.record({ kind: fc.constant("clone" as const), pick: fc.nat(12) }),
  fc.record({ kind: fc.constant("attach" as const), pick: fc.nat(12), flags: fc.constantFrom(0, 1, 2, 3) }),
  fc.record({ kind: fc.constant("write" as const), pick: fc.nat(12), seed: fc.nat(255) }),
  fc.record({ kind: fc.constant("detach" as const), pick: fc.nat(12), percent: fc.nat(110) }),
  fc.record({ kind: fc.constant("drop" as const), pick: fc.nat(12) }),
  fc.record({ kind: fc.constant("storage" as const), size: fc.integer({ min: 0, max: 64 }) }),
);

function check(ops: Op[]): void {
  const { got, want } = compare(ops);
  expect(got).toEqual(want);
}

function trapOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    if (!(error instanceof EdgeError)) throw error;
    return error.code;
  }
}

/** Runs `ops` on the table and the model; returns what the table answered and what the model said it would. */
function compare(ops: Op[]): { got: unknown[]; want: unknown[] } {
  const got: unknown[] = [];
  const want: unknown[] = [];
  const same = (actual: unknown, expected: unknown) => {
    got.push(actual);
    want.push(expected);
  };
  const memory = new GuestMemory(new WebAssembly.Memory({ initial: 1 }), 65536);
  const table = new BlockTable(() => memory);
  const handles = new Map<number, ModelHandle>();
  const slots: ModelSlot[] = [];
  let nextHandle = 1;
  let nextAddr = 1024;
  // Handle numbers the ops pick from: mostly live ones, else one dropped or never given.
  const pickHandle = (pick: number, attachedOnly = false) => {
    const attached = [...handles].filter(([, entry]) => entry.attached).map(([handle]) => handle);
    if (attachedOnly && attached.length > 0 && pick % 5 !== 4)
      return attached[pick % attached.length] as number;
    const live = [...handles.keys()];
    if (live.length > 0 && pick % 5 !== 4) return live[pick % live.length] as number;
    return 1 + (pick % nextHandle);
  };
  const liveBytes = () => {
    let sum = 0;
    for (const block of new Set([...handles.values()].map((entry) => entry.block))) sum += block.size;
    return sum;
  };

  for (const step of ops) {
    if (step.kind === "create") {
      same(table.create(step.size), nextHandle);
      const block: ModelBlock = { size: step.size, valid: [], handles: 1, attaches: new Set() };
      handles.set(nextHandle++, { block, readOnly: false, attached: null });
    } else if (step.kind === "storage") {
      const answer = table.addStorage(nextAddr, step.size);
      if (step.size === 0) {
        same(answer, ShmError.WRONG_SIZE);
      } else {
        same(answer, null);
        slots.push({ addr: nextAddr, size: step.size, busy: false });
        nextAddr += step.size + 8;
      }
    } else if (step.kind === "clone") {
      const handle = pickHandle(step.pick);
      const entry = handles.get(handle);
      if (!entry) {
        same(
          trapOf(() => table.clone(handle)),
          "CONTRACT_TRAP",
        );
        continue;
      }
      same(table.clone(handle), nextHandle);
      entry.block.handles++;
      handles.set(nextHandle++, { block: entry.block, readOnly: true, attached: null });
    } else if (step.kind === "attach") {
      const handle = pickHandle(step.pick);
      const entry = handles.get(handle);
      if (!entry) {
        same(
          trapOf(() => table.attach(handle, step.flags)),
          "CONTRACT_TRAP",
        );
        continue;
      }
      const write = (step.flags & ATTACH_WRITE) !== 0;
      const shared = !write && (step.flags & ATTACH_SHARED) !== 0;
      const { block } = entry;
      const conflict = [...block.attaches].some((other) => !(shared && other.shared));
      const fitting = slots.filter((slot) => slot.size >= block.size);
      const free = fitting.find((slot) => !slot.busy);
      const expected = entry.attached
        ? ShmError.BUSY
        : write && entry.readOnly
          ? ShmError.INTERNAL
          : conflict
            ? ShmError.BUSY
            : slots.length === 0
              ? ShmError.NO_STORAGE
              : fitting.length === 0
                ? ShmError.WRONG_SIZE
                : free
                  ? null
                  : ShmError.BUSY;
      const result = table.attach(handle, step.flags);
      if (expected !== null || !free) {
        same(result, { error: expected });
        continue;
      }
      const size = write ? block.size : block.valid.length;
      same(result, { area: { addr: free.addr, size } });
      // The area starts with the valid bytes, whatever the mode.
      same([...memory.view(free.addr, block.valid.length, "area")], block.valid);
      free.busy = true;
      const attach = { write, shared, addr: free.addr, size, slot: free };
      block.attaches.add(attach);
      entry.attached = attach;
    } else if (step.kind === "write") {
      const entry = handles.get(pickHandle(step.pick, true));
      if (!entry?.attached?.write) continue;
      const { addr, size } = entry.attached;
      memory.write(
        addr,
        Uint8Array.from({ length: size }, (_, i) => (step.seed + i) % 256),
        "area",
      );
    } else if (step.kind === "detach") {
      const handle = pickHandle(step.pick, true);
      const entry = handles.get(handle);
      const attached = entry?.attached;
      // A shared attach mostly says 0, as it must; sometimes it says more.
      const consumed =
        Math.floor(((attached?.size ?? 8) * step.percent) / 100) *
        (attached?.shared && step.percent < 90 ? 0 : 1);
      if (!entry || !attached || (attached.shared && consumed !== 0) || consumed > attached.size) {
        same(
          trapOf(() => table.detach(handle, consumed)),
          "CONTRACT_TRAP",
        );
        continue;
      }
      const written = [...memory.view(attached.addr, consumed, "area")];
      table.detach(handle, consumed);
      if (attached.write) entry.block.valid = written;
      else if (!attached.shared) entry.block.valid = entry.block.valid.slice(consumed);
      attached.slot.busy = false;
      entry.block.attaches.delete(attached);
      entry.attached = null;
    } else {
      const handle = pickHandle(step.pick);
      const entry = handles.get(handle);
      if (!entry || entry.attached) {
        same(
          trapOf(() => table.drop(handle)),
          "CONTRACT_TRAP",
        );
        continue;
      }
      table.drop(handle);
      handles.delete(handle);
      entry.block.handles--;
    }
    same(table.liveBytes, liveBytes());
  }
  // Every block still held reads back as the model says.
  for (const [handle, entry] of handles) {
    const { bytes, start, end } = table.snapshot(handle);
    same([...bytes.subarray(start, end)], entry.block.valid);
  }
  return { got, want };
}

describe("BlockTable against a model of the ownership rules", () => {
  it("agrees on every answer, trap, area and byte", () => {
    fc.assert(fc.property(fc.array(op, { minLength: 20, maxLength: 100 }), check), { numRuns: 300 });
  });

  it("keeps a write attach exclusive both ways: no reader while it is out, no writer while a reader is", () => {
    const { got, want } = compare([
      { kind: "create", size: 8 },
      { kind: "clone", pick: 0 },
      { kind: "storage", size: 8 },
      { kind: "storage", size: 8 },
      { kind: "attach", pick: 0, flags: ATTACH_WRITE },
      { kind: "attach", pick: 1, flags: ATTACH_SHARED },
      { kind: "detach", pick: 0, percent: 50 },
      { kind: "attach", pick: 1, flags: ATTACH_SHARED },
      { kind: "attach", pick: 0, flags: ATTACH_WRITE },
    ]);
    expect(got).toEqual(want);
    expect(
      got.filter((answer) => JSON.stringify(answer) === JSON.stringify({ error: ShmError.BUSY })),
    ).toHaveLength(2);
  });
});
