// The memory blocks of one execution and every rule of test:shm/exchange
// (docs/memory-blocks.md): handles, exclusive and shared attaches, donated
// attach slots, valid and consumed ranges. Mapping is emulated by copying
// into the slot at attach and back at detach; a local block lives in guest
// memory itself. Pure: it sees guest memory through a two-method port.
import { EdgeError } from "../../errors.js";
import { BLOCK_QUOTA_BYTES, MAX_BLOCK_BYTES, MAX_STORAGE_SLOTS } from "../../limits.js";
import type { BlockBytes, PassedBlock } from "../../protocol/block-port.js";
import { ATTACH_SHARED, ATTACH_WRITE, ShmError, type ShmErrorCode } from "./shm-abi.js";
import { StorageSlots, overlap, type Area } from "./storage-slots.js";

/** Guest memory as blocks use it (GuestMemory implements it). */
export interface BlockMemory {
  contains(ptr: number, len: number): boolean;
  view(ptr: number, len: number, what: string): Uint8Array;
}

interface Block {
  size: number;
  /** Host-held bytes; null for a local block (its bytes are guest memory at `local`). */
  bytes: Uint8Array | null;
  local: number;
  /** The valid range. */
  start: number;
  end: number;
  handles: number;
  attaches: Set<Attach>;
  /** Passed in by a caller to borrow: it goes back, so it can be neither transferred nor published. */
  borrowed: boolean;
}

interface Attach {
  from: number;
  to: number;
  write: boolean;
  shared: boolean;
  area: Area;
  slot: Area | null;
}

interface Handle {
  block: Block;
  readOnly: boolean;
  /** [from, from + size) of the block after create-partition; null: the whole block. */
  window: { from: number; size: number } | null;
  attached: Attach | null;
}

export type AttachResult = { area: Area } | { error: ShmErrorCode };

export class BlockTable {
  readonly #memory: () => BlockMemory;
  readonly #handles = new Map<number, Handle>();
  readonly #slots = new StorageSlots(MAX_STORAGE_SLOTS);
  readonly #quotaBytes: number;
  #next = 1;
  #liveBytes = 0;

  constructor(memory: () => BlockMemory, quotaBytes = BLOCK_QUOTA_BYTES) {
    this.#memory = memory;
    this.#quotaBytes = quotaBytes;
  }

  /** Bytes the execution's host-held blocks take (and its publications, until they are handed over). */
  get liveBytes(): number {
    return this.#liveBytes;
  }

  /** Counts `bytes` the execution holds outside any block (what it published) against its quota. */
  hold(bytes: number): void {
    this.#reserve(bytes);
  }

  /** They were handed over (to the DO, with the execution's changes). */
  unhold(bytes: number): void {
    this.#liveBytes -= bytes;
  }

  create(size: number): number {
    if (size < 1 || size > MAX_BLOCK_BYTES) {
      throw new EdgeError(
        "BLOCK_LIMIT",
        `memory-block: a block holds 1 to ${MAX_BLOCK_BYTES} bytes, not ${size}`,
      );
    }
    return this.adopt({ bytes: new Uint8Array(size), start: 0, end: 0 }, false);
  }

  /** A host-held block over `bytes` (which it keeps). */
  adopt(bytes: BlockBytes, readOnly: boolean, borrowed = false): number {
    const size = bytes.bytes.length;
    this.#reserve(size);
    const block: Block = { ...bytes, size, local: 0, handles: 0, attaches: new Set(), borrowed };
    return this.#handle(block, readOnly, null);
  }

  createLocal(addr: number, size: number): number {
    if (size < 1 || !this.#memory().contains(addr, size)) {
      throw trap(`create-local: [${addr}, ${addr}+${size}) is not a non-empty range of linear memory`);
    }
    // Donated storage is the host's to write into: a block of the guest's own cannot share it.
    if (this.#slots.overlaps({ addr, size }))
      throw trap(`create-local: [${addr}, ${addr}+${size}) overlaps donated storage`);
    const block: Block = {
      size,
      bytes: null,
      local: addr,
      start: 0,
      end: size,
      handles: 0,
      attaches: new Set(),
      borrowed: false,
    };
    return this.#handle(block, false, null);
  }

  clone(handle: number): number {
    const { block, window } = this.#live(handle);
    return this.#handle(block, true, window);
  }

  minimumSize(handle: number): number {
    return windowOf(this.#live(handle)).size;
  }

  static optimumSize(count: number, size: number): number {
    return Math.min(0xffff_ffff, count * (Math.ceil(size / 8) * 8));
  }

  addStorage(addr: number, size: number): ShmErrorCode | null {
    if (size === 0) return ShmError.WRONG_SIZE;
    if (!this.#memory().contains(addr, size)) return ShmError.INTERNAL;
    if (this.#localAreas().some((local) => overlap(local, { addr, size }))) return ShmError.INTERNAL;
    return this.#slots.add({ addr, size }) ? null : ShmError.INTERNAL;
  }

  createPartition(handle: number, start: number, size: number, mode: number): void {
    const entry = this.#live(handle);
    if (entry.attached) throw trap(`create-partition: handle ${handle} is attached`);
    const window = windowOf(entry);
    if (start + size > window.size) {
      throw trap(
        `create-partition: [${start}, ${start}+${size}) lies outside the handle's ${window.size} bytes`,
      );
    }
    if (mode & ATTACH_WRITE && entry.readOnly) throw trap(`create-partition: handle ${handle} is read only`);
    entry.window = { from: window.from + start, size };
    if (!(mode & ATTACH_WRITE)) entry.readOnly = true;
  }

  attach(handle: number, flags: number): AttachResult {
    const entry = this.#live(handle);
    const { block } = entry;
    if (entry.attached) return { error: ShmError.BUSY };
    const write = (flags & ATTACH_WRITE) !== 0;
    const shared = !write && (flags & ATTACH_SHARED) !== 0;
    if (write && entry.readOnly) return { error: ShmError.INTERNAL };
    const window = windowOf(entry);
    const from = window.from;
    const to = from + window.size;
    for (const other of block.attaches) {
      if (other.from < to && from < other.to && !(shared && other.shared)) return { error: ShmError.BUSY };
    }
    const whole = entry.window === null;
    if (whole && write) compact(block, this.#memory());
    // Written: the whole window (unconsumed bytes first). Read: the valid bytes, or the window.
    const offset = whole && !write ? block.start : from;
    const length = whole && !write ? block.end - block.start : window.size;
    let slot: Area | null = null;
    let area: Area;
    if (block.bytes === null) {
      area = { addr: block.local + offset, size: length };
    } else if (window.size === 0) {
      // An empty block (an empty publication) needs no storage to attach.
      area = { addr: 0, size: 0 };
    } else {
      const found = this.#slots.take(window.size);
      if ("error" in found) return found;
      slot = found.slot;
      area = { addr: slot.addr, size: length };
      this.#memory()
        .view(area.addr, length, "attach area")
        .set(block.bytes.subarray(offset, offset + length));
    }
    const attached: Attach = { from, to, write, shared, area, slot };
    block.attaches.add(attached);
    entry.attached = attached;
    return { area };
  }

  detach(handle: number, consumed: number): void {
    const entry = this.#live(handle);
    const attached = entry.attached ?? throwTrap(`detach: handle ${handle} is not attached`);
    const { block } = entry;
    if (attached.shared && consumed !== 0) throw trap("detach: a shared attach consumes nothing (say 0)");
    if (consumed > attached.area.size) {
      throw trap(`detach: ${consumed} bytes consumed of a ${attached.area.size}-byte attach`);
    }
    const whole = entry.window === null;
    if (attached.write) {
      // Only the valid range goes back.
      if (block.bytes !== null) {
        const valid = this.#memory().view(attached.area.addr, consumed, "attach area");
        block.bytes.set(valid, attached.from);
      }
      if (whole) {
        block.start = 0;
        block.end = consumed;
      }
    } else if (whole && !attached.shared) {
      block.start += consumed;
      if (block.start === block.end) block.start = block.end = 0;
    }
    if (attached.slot) this.#slots.release(attached.slot);
    block.attaches.delete(attached);
    entry.attached = null;
  }

  drop(handle: number): void {
    const entry = this.#live(handle);
    if (entry.attached) throw trap(`drop: handle ${handle} is attached (detach it first)`);
    this.#handles.delete(handle);
    this.#release(entry.block);
  }

  /** The bytes and valid range a handle stands for (a window travels as a full valid range). */
  snapshot(handle: number): BlockBytes {
    return this.snapshotOf(this.#live(handle));
  }

  /** A handle's entry, live or not (a borrowed block goes back even if the callee dropped it). */
  entry(handle: number): Handle | undefined {
    return this.#handles.get(handle);
  }

  snapshotOf(entry: Handle): BlockBytes {
    const { block } = entry;
    const bytes = this.#bytesOf(block);
    if (entry.window === null) return { bytes: bytes.slice(), start: block.start, end: block.end };
    const { from, size } = entry.window;
    return { bytes: bytes.slice(from, from + size), start: 0, end: size };
  }

  /** Writes bytes that came back (a borrowed block after a call) over what `handle` stands for. */
  restore(handle: number, back: BlockBytes): void {
    const entry = this.#handles.get(handle);
    if (!entry) return;
    const { block } = entry;
    const bytes = this.#bytesOf(block);
    const from = entry.window?.from ?? 0;
    const size = entry.window?.size ?? block.size;
    bytes.set(back.bytes.subarray(0, size), from);
    if (entry.window === null) {
      block.start = back.start;
      block.end = back.end;
    }
  }

  /** What passing `handle` in a call needs to know of it. */
  describe(
    handle: number,
  ): { block: object; attached: boolean; handles: number; borrowed: boolean; readOnly: boolean } | null {
    const entry = this.#handles.get(handle);
    if (!entry) return null;
    const { block } = entry;
    return {
      block,
      attached: block.attaches.size > 0,
      handles: block.handles,
      borrowed: block.borrowed,
      readOnly: entry.readOnly,
    };
  }

  /** Takes a handle out (transferred away, or published); `put` gives it back. */
  take(handle: number): Handle {
    const entry = this.#live(handle);
    if (entry.attached) throw trap(`handle ${handle} is attached`);
    this.#handles.delete(handle);
    return entry;
  }

  put(handle: number, entry: Handle): void {
    this.#handles.set(handle, entry);
  }

  /** A handle taken for good: its block goes with its last handle. */
  forget(entry: Handle): void {
    this.#release(entry.block);
  }

  passed(handle: number, mode: PassedBlock["mode"]): PassedBlock {
    return { ...this.snapshot(handle), mode, readOnly: this.#live(handle).readOnly };
  }

  /** The memory that live local blocks stand on. */
  #localAreas(): Area[] {
    const areas: Area[] = [];
    for (const { block } of this.#handles.values()) {
      if (block.bytes === null) areas.push({ addr: block.local, size: block.size });
    }
    return areas;
  }

  #reserve(bytes: number): void {
    if (this.#liveBytes + bytes > this.#quotaBytes) {
      throw new EdgeError(
        "BLOCK_LIMIT",
        `memory-block: the execution's blocks would hold more than ${this.#quotaBytes} bytes`,
      );
    }
    this.#liveBytes += bytes;
  }

  #bytesOf(block: Block): Uint8Array {
    return block.bytes ?? this.#memory().view(block.local, block.size, "local block");
  }

  #handle(block: Block, readOnly: boolean, window: Handle["window"]): number {
    const handle = this.#next++;
    block.handles++;
    this.#handles.set(handle, { block, readOnly, window, attached: null });
    return handle;
  }

  #live(handle: number): Handle {
    return (
      this.#handles.get(handle) ?? throwTrap(`memory-block: handle ${handle} is not live in this execution`)
    );
  }

  #release(block: Block): void {
    block.handles--;
    if (block.handles === 0 && block.bytes !== null) this.#liveBytes -= block.size;
  }
}

export type { Handle as BlockHandleEntry };

/** The handle's window of its block. */
function windowOf(entry: Handle): { from: number; size: number } {
  return entry.window ?? { from: 0, size: entry.block.size };
}

/** Moves the bytes a read left unconsumed to the front, for a write attach. */
function compact(block: Block, memory: BlockMemory): void {
  if (block.start === 0) return;
  const bytes = block.bytes ?? memory.view(block.local, block.size, "local block");
  bytes.copyWithin(0, block.start, block.end);
  block.end -= block.start;
  block.start = 0;
}

function trap(message: string): EdgeError {
  return new EdgeError("CONTRACT_TRAP", `the contract misused test:shm: ${message}`);
}

function throwTrap(message: string): never {
  throw trap(message);
}
