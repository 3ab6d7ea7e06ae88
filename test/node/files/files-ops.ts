// Random file operations for the property tests: each op applied to the
// sandbox stand-in (CallSim) and to a plain model of what the files should hold.
import fc from "fast-check";
import { FILE_PAGE_BYTES } from "../../../src/protocol/files-port.js";
import type { FileStore } from "../../../src/store/files/file-store.js";
import { patterned } from "../../support/bytes.js";
import { CallSim, FilesModel, commitSim, openStore, type Backend } from "./files-harness.js";

const P = FILE_PAGE_BYTES;

export type Op =
  | { op: "write"; path: string; offset: number; length: number; seed: number }
  | { op: "truncate"; path: string; size: number }
  | { op: "rename"; from: string; to: string }
  | { op: "remove"; path: string }
  | { op: "mkdir"; path: string }
  | { op: "commit" };

export const pathArb = fc
  .array(fc.constantFrom("a", "é", "Z"), { minLength: 1, maxLength: 3 })
  .map((segments) => segments.join("/"));

// Offsets and sizes cluster around page boundaries, where the bugs would be.
const positionArb = fc.oneof(
  fc.nat({ max: 4 * P + 100 }),
  fc
    .tuple(fc.nat({ max: 4 }), fc.integer({ min: -3, max: 3 }))
    .map(([page, delta]) => Math.max(0, page * P + delta)),
);

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("write" as const),
      path: pathArb,
      offset: positionArb,
      length: fc.nat({ max: P + 50 }),
      seed: fc.nat({ max: 200 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("truncate" as const), path: pathArb, size: positionArb }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("rename" as const), from: pathArb, to: pathArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("remove" as const), path: pathArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("mkdir" as const), path: pathArb }) },
  { weight: 2, arbitrary: fc.constant({ op: "commit" as const }) },
);

const parentOf = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf("/")));
const within = (path: string, root: string): boolean => path === root || path.startsWith(`${root}/`);

/** The model's side of each op: what a POSIX-ish filesystem would hold afterwards. */
export function applyToModel(model: FilesModel, op: Op): void {
  const remove = (path: string): void => {
    for (const file of model.files.keys()) if (within(file, path)) model.files.delete(file);
    for (const dir of model.dirs) if (within(dir, path)) model.dirs.delete(dir);
  };
  const mkdirs = (path: string): void => {
    if (path === "" || model.dirs.has(path)) return;
    if (model.files.has(path)) remove(path);
    mkdirs(parentOf(path));
    model.dirs.add(path);
  };
  switch (op.op) {
    case "write": {
      if (model.dirs.has(op.path)) remove(op.path);
      mkdirs(parentOf(op.path));
      const old = model.files.get(op.path) ?? new Uint8Array(0);
      const next = new Uint8Array(Math.max(old.length, op.offset + op.length));
      next.set(old);
      next.set(patterned(op.length, op.seed), op.offset);
      model.files.set(op.path, next);
      return;
    }
    case "truncate": {
      const old = model.files.get(op.path);
      if (!old) return;
      const next = new Uint8Array(op.size);
      next.set(old.subarray(0, op.size));
      model.files.set(op.path, next);
      return;
    }
    case "rename": {
      const isFile = model.files.has(op.from);
      if ((!isFile && !model.dirs.has(op.from)) || within(op.to, op.from)) return;
      if (model.files.has(op.to) || model.dirs.has(op.to)) remove(op.to);
      mkdirs(parentOf(op.to));
      const files = [...model.files].filter(([path]) => within(path, op.from));
      const dirs = [...model.dirs].filter((path) => within(path, op.from));
      remove(op.from);
      for (const [path, bytes] of files) model.files.set(op.to + path.slice(op.from.length), bytes);
      for (const path of dirs) model.dirs.add(op.to + path.slice(op.from.length));
      return;
    }
    case "remove":
      remove(op.path);
      return;
    case "mkdir":
      mkdirs(op.path);
      return;
    case "commit":
      return;
  }
}

/** The sandbox's side of each op, staged in `sim`; true when the op ends the call. */
export async function applyToSim(sim: CallSim, op: Op, model: FilesModel): Promise<boolean> {
  switch (op.op) {
    case "write":
      await sim.write(op.path, op.offset, patterned(op.length, op.seed));
      return false;
    case "truncate":
      if (model.files.has(op.path)) await sim.truncate(op.path, op.size);
      return false;
    case "rename":
      await sim.rename(op.from, op.to);
      return false;
    case "remove":
      await sim.remove(op.path);
      return false;
    case "mkdir":
      await sim.mkdirs(op.path);
      return false;
    case "commit":
      return true;
  }
}

/** Runs `ops` through calls on a fresh store, committing at each "commit" and at the end. */
export async function runOps(
  backend: Backend,
  ops: readonly Op[],
  check?: (store: FileStore, model: FilesModel) => void,
) {
  const store = openStore(backend);
  const model = new FilesModel();
  let sim = new CallSim(store);
  let atMs = 1_000;
  for (const op of [...ops, { op: "commit" as const }]) {
    if (await applyToSim(sim, op, model)) {
      await commitSim(backend, store, sim, atMs++);
      check?.(store, model);
      sim = new CallSim(store);
    }
    applyToModel(model, op);
  }
  return { store, model };
}
