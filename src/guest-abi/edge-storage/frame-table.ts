// The storage frames one call has touched: each frame as it was loaded from
// the DO (null: never stored, reads as zero) and as the call left it. At the
// end only frames whose bytes differ from what was loaded are written.
import { bytesEqual } from "../../bytes.js";
import { EdgeError } from "../../errors.js";
import { FRAME_BYTES } from "../../limits.js";
import type { FrameSource, FrameWrite } from "../../protocol/storage-port.js";
import { frameRange, frameSpans } from "../../protocol/frame-span.js";

interface Entry {
  original: Uint8Array | null;
  current: Uint8Array | null;
}

export class FrameTable {
  readonly #source: FrameSource;
  readonly #maxFrames: number;
  readonly #frames = new Map<number, Entry>();
  #size: number;

  constructor(source: FrameSource, size: number, maxBytes: number) {
    this.#source = source;
    this.#size = size;
    this.#maxFrames = Math.floor(maxBytes / FRAME_BYTES);
  }

  get size(): number {
    return this.#size;
  }

  /** Frame indices of [offset, offset + length) not loaded yet. */
  missing(offset: number, length: number): number[] {
    const out: number[] = [];
    const { first, end } = frameRange(offset, length);
    for (let i = first; i < end; i++) if (!this.#frames.has(i)) out.push(i);
    return out;
  }

  /** Whether `count` more frames fit the call's frame budget. */
  fits(count: number): boolean {
    return this.#frames.size + count <= this.#maxFrames;
  }

  load(indices: number[]): Promise<void> | void {
    if (indices.length === 0) return;
    const loaded = this.#source.read(indices);
    const keep = (frames: Array<Uint8Array | null>) => {
      if (frames.length !== indices.length)
        throw new EdgeError("INTERNAL", "storage frame source answered short");
      indices.forEach((index, i) => {
        const frame = frames[i] ?? null;
        this.#frames.set(index, { original: frame, current: frame });
      });
    };
    return Array.isArray(loaded) ? keep(loaded) : loaded.then(keep);
  }

  /** Hands [offset, offset + length) to `sink` frame piece by frame piece (all frames loaded). */
  read(offset: number, length: number, sink: (bytes: Uint8Array, at: number) => void): void {
    this.#each(offset, length, (entry, start, end, at) => {
      if (entry.current) sink(entry.current.subarray(start, end), at);
      else sink(new Uint8Array(end - start), at);
    });
  }

  /**
   * Writes `bytes` at `offset` (all frames loaded). Returns one past the last
   * byte that changed (0 if none), so a write-back of untouched memory costs nothing.
   */
  write(offset: number, bytes: Uint8Array): number {
    let changedEnd = 0;
    this.#each(offset, bytes.length, (entry, start, end, at) => {
      const incoming = bytes.subarray(at, at + end - start);
      const frame = entry.current ?? new Uint8Array(FRAME_BYTES);
      let last = -1;
      for (let i = 0; i < incoming.length; i++) if (frame[start + i] !== incoming[i]) last = i;
      if (last < 0) return;
      if (!entry.current || entry.current === entry.original)
        entry.current = frame === entry.original ? frame.slice() : frame;
      entry.current.set(incoming, start);
      changedEnd = offset + at + last + 1;
    });
    this.#size = Math.max(this.#size, changedEnd);
    return changedEnd;
  }

  /** Extends the logical size to cover an explicit write, changed or not. */
  cover(end: number): void {
    this.#size = Math.max(this.#size, end);
  }

  /** After a checkpoint handed the dirty frames over: what the table holds now counts as loaded. */
  markClean(): void {
    for (const entry of this.#frames.values()) entry.original = entry.current;
  }

  /** Loads again those of `indices` this table holds (another frame of the transaction changed them); returns them. */
  async reload(indices: readonly number[], size: number): Promise<number[]> {
    this.#size = size;
    const held = indices.filter((index) => this.#frames.has(index));
    if (held.length === 0) return held;
    for (const index of held) this.#frames.delete(index);
    await this.load(held);
    return held;
  }

  /** Frames whose bytes differ from what was loaded. */
  dirty(): FrameWrite[] {
    const out: FrameWrite[] = [];
    for (const [index, entry] of this.#frames) {
      if (entry.current === entry.original) continue;
      const current = entry.current;
      if (current && entry.original && bytesEqual(current, entry.original)) continue;
      const zero = !current || current.every((byte) => byte === 0);
      if (zero && !entry.original) continue;
      out.push({ index, bytes: zero ? null : current });
    }
    return out.toSorted((a, b) => a.index - b.index);
  }

  #each(
    offset: number,
    length: number,
    visit: (entry: Entry, start: number, end: number, at: number) => void,
  ): void {
    for (const { index, start, end, at } of frameSpans(offset, length)) {
      const entry = this.#frames.get(index);
      if (!entry) throw new EdgeError("INTERNAL", `storage frame ${index} used before it was loaded`);
      visit(entry, start, end, at);
    }
  }
}
