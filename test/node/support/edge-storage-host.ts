// An in-memory edge_storage host for node tests of `run` contracts (the real
// host is src/abi/storage/, behind the Durable Object). Storage is a map of
// 64 KiB frames; each run() gets a fresh instance and works on copies of the
// frames it writes, which commit only when the call returns RUN_OK.
import type { GuestMemory } from "../../../src/guest-abi/guest-memory.js";
import { HostStatus } from "../../../src/protocol/host-status.js";
import { runEntry } from "./run-entry.js";

export const FRAME_BYTES = 64 * 1024;

export type RunOutcome = { ok: true; body: Uint8Array } | { ok: false; message: string };

interface Mapping {
  mem: number;
  storage: number;
  length: number;
}

export interface CallStats {
  reads: number;
  writes: number;
  /** Frames the call wrote to (changed or not, committed or not). */
  writtenFrames: number[];
  /** Frames whose committed bytes this call changed (empty unless it returned RUN_OK). */
  changedFrames: number[];
}

export class EdgeStorageHost {
  /** Committed frames; a missing frame reads as zero. */
  readonly frames = new Map<number, Uint8Array>();
  size = 0;
  lastCall: CallStats = { reads: 0, writes: 0, writtenFrames: [], changedFrames: [] };

  constructor(
    readonly limitBytes = 1 << 30,
    readonly memoryLimitBytes = 64 << 20,
  ) {}

  /** Committed bytes of [offset, offset + length). */
  peek(offset: number, length: number): Uint8Array {
    return readRange(this.frames, offset, length);
  }

  /** Writes committed bytes directly (to seed a layout). */
  poke(offset: number, bytes: Uint8Array): void {
    writeRange(this.frames, this.frames, offset, bytes);
    this.size = Math.max(this.size, offset + bytes.length);
  }

  async run(module: WebAssembly.Module, body: Uint8Array): Promise<RunOutcome> {
    const pending = new Map<number, Uint8Array>(); // copies of the frames this call wrote
    const mappings: Mapping[] = [];
    let size = this.size;
    const stats: CallStats = { reads: 0, writes: 0, writtenFrames: [], changedFrames: [] };
    this.lastCall = stats;
    let memory: GuestMemory | undefined;
    const guest = () => memory!;
    const mem = (ptr: number, len: number) => guest().view(ptr, len, "storage range");

    const check = (memStart: number, offset: bigint, length: number): number => {
      if (length < 0 || offset < 0n) return HostStatus.INVALID_ARGUMENT;
      if (offset + BigInt(length) > BigInt(this.limitBytes)) return HostStatus.STORAGE_LIMIT;
      if (memStart + length > guest().size) return HostStatus.OUT_OF_BOUNDS;
      return HostStatus.OK;
    };
    const layered = (index: number) => pending.get(index) ?? this.frames.get(index);
    const store = (offset: number, bytes: Uint8Array) => {
      writeRange(pending, { get: layered }, offset, bytes);
    };
    const writeBack = (m: Mapping) => {
      const current = mem(m.mem, m.length);
      const before = readRange({ get: layered }, m.storage, m.length);
      let last = -1;
      for (let i = 0; i < m.length; i++) if (current[i] !== before[i]) last = i;
      if (last < 0) return;
      store(m.storage, current.slice());
      size = Math.max(size, m.storage + last + 1);
    };
    const overlaps = (a: number, aLen: number, b: number, bLen: number) =>
      aLen > 0 && bLen > 0 && a < b + bLen && b < a + aLen;

    const edge_storage = {
      storage_map: (memStart: number, offset: bigint, length: number): number => {
        memStart >>>= 0;
        const status = check(memStart, offset, length);
        if (status !== HostStatus.OK) return status;
        const storage = Number(offset);
        const clash = mappings.some(
          (m) =>
            m.mem === memStart ||
            overlaps(m.mem, m.length, memStart, length) ||
            overlaps(m.storage, m.length, storage, length),
        );
        if (clash) return HostStatus.OVERLAP;
        mappings.push({ mem: memStart, storage, length });
        mem(memStart, length).set(readRange({ get: layered }, storage, length));
        return HostStatus.OK;
      },
      storage_unmap: (memStart: number): number => {
        const at = mappings.findIndex((m) => m.mem === memStart >>> 0);
        if (at < 0) return HostStatus.NOT_MAPPED;
        writeBack(mappings[at]!);
        mappings.splice(at, 1);
        return HostStatus.OK;
      },
      storage_sync: (): number => {
        mappings.forEach(writeBack);
        return HostStatus.OK;
      },
      storage_size: (): bigint => BigInt(size),
      storage_read: (memStart: number, offset: bigint, length: number): number => {
        memStart >>>= 0;
        const status = check(memStart, offset, length);
        if (status !== HostStatus.OK) return status;
        stats.reads++;
        mem(memStart, length).set(readRange({ get: layered }, Number(offset), length));
        return HostStatus.OK;
      },
      storage_write: (offset: bigint, memStart: number, length: number): number => {
        memStart >>>= 0;
        const status = check(memStart, offset, length);
        if (status !== HostStatus.OK) return status;
        stats.writes++;
        store(Number(offset), mem(memStart, length).slice());
        if (length > 0) size = Math.max(size, Number(offset) + length);
        return HostStatus.OK;
      },
    };
    const outcome = await runEntry(module, { edge_storage }, body, this.memoryLimitBytes, {
      bind: (instanceMemory) => (memory = instanceMemory),
      atReturn: () => {
        mappings.forEach(writeBack); // at return, as the real host does
        stats.writtenFrames = [...pending.keys()].toSorted((a, b) => a - b);
      },
    });
    if (outcome.kind === "trap") throw outcome.error;
    if (outcome.kind === "error") return { ok: false, message: outcome.message };
    for (const [index, frame] of [...pending].toSorted(([a], [b]) => a - b)) {
      const before = this.frames.get(index) ?? new Uint8Array(FRAME_BYTES);
      if (!frame.every((byte, i) => byte === before[i])) stats.changedFrames.push(index);
      this.frames.set(index, frame);
    }
    this.size = size;
    return { ok: true, body: outcome.body };
  }
}

interface FrameSource {
  get(index: number): Uint8Array | undefined;
}

function readRange(frames: FrameSource, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0; at < length;) {
    const index = Math.floor((offset + at) / FRAME_BYTES);
    const start = offset + at - index * FRAME_BYTES;
    const n = Math.min(FRAME_BYTES - start, length - at);
    const frame = frames.get(index);
    if (frame) out.set(frame.subarray(start, start + n), at);
    at += n;
  }
  return out;
}

/** Writes into `target`, copying each frame from `source` (or zero) the first time it is touched. */
function writeRange(
  target: Map<number, Uint8Array>,
  source: FrameSource,
  offset: number,
  bytes: Uint8Array,
): void {
  for (let at = 0; at < bytes.length;) {
    const index = Math.floor((offset + at) / FRAME_BYTES);
    const start = offset + at - index * FRAME_BYTES;
    const n = Math.min(FRAME_BYTES - start, bytes.length - at);
    let frame = target.get(index);
    if (!frame) {
      frame = source.get(index)?.slice() ?? new Uint8Array(FRAME_BYTES);
      target.set(index, frame);
    }
    frame.set(bytes.subarray(at, at + n), start);
    at += n;
  }
}
