// Contract state as versioned blobs of 64 KiB frames. Uploads stream into a
// staged blob and become the head in one transaction; readers stream frames
// in bounded batches and pin the blob they read so a concurrent commit never
// tears them. Neither path ever holds a whole state.
import type { Clock } from "../../clock.js";
import { EdgeError } from "../../errors.js";
import type { HasherFactory } from "../../hashing/blake3.js";
import { FRAME_BYTES, INLINE_COLLECT_BYTES, READ_BATCH_FRAMES, WRITE_BATCH_FRAMES } from "../../limits.js";
import { frameRange, frameSpan } from "../../protocol/frame-span.js";
import { bytesEqual, chunkStream } from "../../bytes.js";
import { readFrames } from "./frame-reader.js";
import type { StateTables, StateVersion } from "./state-tables.js";
import type { ByteRange } from "../../http/range.js";

/** A state checked before commit: stored in a staged blob, or (small) still only in memory. */
export type StagedState = { size: number; hash: Uint8Array } & ({ blobId: number } | { bytes: Uint8Array });

export interface PutOptions {
  /** Declared body length (Content-Length); a body that ends short or long is refused. */
  expectedLength?: number;
  /** Runs inside the commit transaction against the head it would replace; throws to refuse. */
  precondition?: (head: StateVersion | null) => void;
  /** Judges the fully staged state before commit (the contract-validation seam). */
  validate?: (staged: StagedState) => Promise<void>;
  /** Further writes that must commit in the same transaction as the new version (linear storage). */
  alsoCommit?: () => void;
  /**
   * A state byte-identical to the head (same BLAKE3 and size) makes no new version: the staged
   * copy is dropped, `alsoCommit` still commits, and the head is returned (freenet-core's rule).
   */
  keepIdenticalHead?: boolean;
}

export interface StateStoreOptions {
  maxStateBytes: number;
  /**
   * Asks for `collectRetired()` to run soon. Dropping a replaced version means
   * SQLite walks every overflow page of its frames, so the DO defers it to an
   * alarm instead of charging it to the PUT that replaced it. Default: collect now.
   */
  scheduleCollection?: () => void;
}

export class StateStore {
  readonly #tables: StateTables;
  readonly #clock: Clock;
  readonly #newHasher: HasherFactory;
  readonly #maxStateBytes: number;
  readonly #readers = new Map<number, number>();
  /** Replaced versions a reader still held at the commit (blob id to size): collected when the last lets go. */
  readonly #retiredHeld = new Map<number, number>();
  readonly #scheduleCollection: () => void;

  constructor(tables: StateTables, clock: Clock, newHasher: HasherFactory, options: StateStoreOptions) {
    this.#tables = tables;
    this.#clock = clock;
    this.#newHasher = newHasher;
    this.#maxStateBytes = options.maxStateBytes;
    this.#scheduleCollection = options.scheduleCollection ?? (() => this.collectRetired());
  }

  /** After a restart nothing is uploading or reading: drop staged and retired blobs. */
  recover(): void {
    for (const blobId of this.#tables.blobsWithStatus("staged")) this.#tables.dropBlob(blobId);
    this.collectRetired();
  }

  /** Drops the frames of replaced versions that no reader holds. Idempotent. */
  collectRetired(): void {
    for (const blobId of this.#tables.blobsWithStatus("retired")) {
      if (!this.#readers.has(blobId)) this.#tables.dropBlob(blobId);
    }
  }

  head(): StateVersion | null {
    return this.#tables.head();
  }

  /** Runs `fn` in one SQLite transaction with whatever else shares the DO's storage. */
  transaction<T>(fn: () => T): T {
    return this.#tables.transaction(fn);
  }

  /**
   * A new head from a stream, or from bytes already in memory: bytes of at most one frame (a small
   * contract's update) are judged before anything is written and then commit in one transaction.
   */
  async put(
    body: ReadableStream<Uint8Array> | Uint8Array | null,
    options: PutOptions = {},
  ): Promise<StateVersion> {
    if (body instanceof Uint8Array) {
      if (body.length <= FRAME_BYTES) return this.#putFrame(body, options);
      body = chunkStream([body as Uint8Array<ArrayBuffer>].values());
    }
    const { expectedLength } = options;
    if (expectedLength !== undefined && expectedLength > this.#maxStateBytes) {
      await body?.cancel().catch(() => {});
      throw this.#tooLarge(expectedLength);
    }
    const blobId = this.#tables.newBlob(this.#clock.now());
    try {
      const staged = await this.#stage(blobId, body, expectedLength);
      const head = this.#identicalHead(staged, options);
      if (head) {
        this.#tables.dropBlob(blobId);
        return head;
      }
      await options.validate?.(staged);
      return this.#commit(options, () =>
        this.#tables.promote(blobId, staged.size, staged.hash, this.#clock.now()),
      );
    } catch (error) {
      this.#tables.dropBlob(blobId);
      throw error;
    }
  }

  async #putFrame(bytes: Uint8Array, options: PutOptions): Promise<StateVersion> {
    const { expectedLength } = options;
    if (bytes.length > this.#maxStateBytes) throw this.#tooLarge(bytes.length);
    if (expectedLength !== undefined && bytes.length !== expectedLength) {
      throw incomplete(bytes.length, expectedLength);
    }
    const staged = { bytes, size: bytes.length, hash: this.#newHasher().update(bytes).digest() };
    const head = this.#identicalHead(staged, options);
    if (head) return head;
    await options.validate?.(staged);
    return this.#commit(options, () => {
      const now = this.#clock.now();
      const blobId = this.#tables.newBlob(now, "current");
      if (bytes.length > 0) this.#tables.putFrame(blobId, 0, bytes);
      return this.#tables.promote(blobId, staged.size, staged.hash, now, true);
    });
  }

  /** With `keepIdenticalHead`, the head when `staged` is byte-identical to it (its other writes committed). */
  #identicalHead(staged: StagedState, options: PutOptions): StateVersion | null {
    const head = options.keepIdenticalHead ? this.#tables.head() : null;
    if (!head || head.size !== staged.size || !bytesEqual(head.hash, staged.hash)) return null;
    this.#tables.transaction(() => {
      options.precondition?.(this.#tables.head());
      options.alsoCommit?.();
    });
    return head;
  }

  /** One transaction: the precondition, the other writes, the promotion, and a small replaced version's drop. */
  #commit(options: PutOptions, promote: () => ReturnType<StateTables["promote"]>): StateVersion {
    let large = false;
    const committed = this.#tables.transaction(() => {
      options.precondition?.(this.#tables.head());
      options.alsoCommit?.();
      const { version, replaced } = promote();
      if (!replaced) return version;
      // A small replaced version nobody reads goes in this transaction; the rest is marked for later.
      const held = this.#readers.has(replaced.blobId);
      if (!held && replaced.size <= INLINE_COLLECT_BYTES) {
        this.#tables.dropBlob(replaced.blobId);
        return version;
      }
      this.#tables.retire(replaced.blobId);
      if (held) this.#retiredHeld.set(replaced.blobId, replaced.size);
      else large = true;
      return version;
    });
    if (large) this.#scheduleCollection();
    return committed;
  }

  /**
   * Random access to a blob's bytes for a contract execution, pinned (so a
   * concurrent commit cannot drop it) until `release`.
   */
  pin(blob: { blobId: number; size: number }): {
    read(offset: number, length: number): Uint8Array;
    release(): void;
  } {
    this.#pin(blob.blobId);
    let released = false;
    return {
      read: (offset, length) => {
        if (released) throw new EdgeError("INTERNAL", "state pages read after release");
        return this.#readRange(blob, offset, length);
      },
      release: () => {
        if (released) return;
        released = true;
        this.#unpin(blob.blobId);
      },
    };
  }

  #readRange(blob: { blobId: number; size: number }, offset: number, length: number): Uint8Array {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > blob.size
    ) {
      throw new EdgeError("INTERNAL", `page read [${offset}, +${length}) outside a ${blob.size}-byte state`);
    }
    const out = new Uint8Array(length);
    const { first, end } = frameRange(offset, length);
    for (let from = first; from < end; from += READ_BATCH_FRAMES) {
      const upto = Math.min(end, from + READ_BATCH_FRAMES);
      for (const [i, frame] of frameBatch(this.#tables, blob.blobId, from, upto).entries()) {
        const span = frameSpan(from + i, offset, length);
        out.set(frame.subarray(span.start, span.end), span.at);
      }
    }
    return out;
  }

  /** Streams [range.start, range.end) of the head state; the blob stays pinned until the stream ends. */
  read(head: StateVersion, range: ByteRange): ReadableStream<Uint8Array> {
    const { blobId } = head;
    this.#pin(blobId);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#unpin(blobId);
    };
    const length = range.end - range.start;
    const { first, end } = frameRange(range.start, length);
    let next = first;
    const tables = this.#tables;
    return new ReadableStream({
      type: "bytes",
      pull(controller: ReadableByteStreamController) {
        try {
          if (next >= end) {
            release();
            controller.close();
            return;
          }
          const upto = Math.min(end, next + READ_BATCH_FRAMES);
          for (const [i, frame] of frameBatch(tables, blobId, next, upto).entries()) {
            const { start, end: stop } = frameSpan(next + i, range.start, length);
            const to = Math.min(frame.length, stop);
            controller.enqueue(start === 0 && to === frame.length ? frame : frame.slice(start, to));
          }
          next = upto;
        } catch (error) {
          release();
          controller.error(error);
        }
      },
      cancel() {
        release();
      },
    });
  }

  async #stage(
    blobId: number,
    body: ReadableStream<Uint8Array> | null,
    expectedLength: number | undefined,
  ): Promise<StagedState> {
    const hasher = this.#newHasher();
    let size = 0;
    let index = 0;
    let batch: Uint8Array[] = [];
    const flush = () => {
      const frames = batch;
      batch = [];
      this.#tables.putFrames(blobId, index, frames);
      index += frames.length;
    };
    if (body) {
      const frames = readFrames(body, FRAME_BYTES);
      try {
        for (;;) {
          let next: IteratorResult<Uint8Array>;
          try {
            next = await frames.next();
          } catch (cause) {
            throw new EdgeError("INCOMPLETE_BODY", "the request body was aborted before it ended", {
              cause,
              details: { received: size },
            });
          }
          if (next.done) break;
          const frame = next.value;
          size += frame.length;
          if (size > this.#maxStateBytes) throw this.#tooLarge(size);
          if (expectedLength !== undefined && size > expectedLength) throw incomplete(size, expectedLength);
          hasher.update(frame);
          batch.push(frame);
          if (batch.length === WRITE_BATCH_FRAMES) flush();
        }
        flush();
      } catch (error) {
        await frames.return();
        await body.cancel().catch(() => {});
        throw error;
      }
    }
    if (expectedLength !== undefined && size !== expectedLength) throw incomplete(size, expectedLength);
    return { blobId, size, hash: hasher.digest() };
  }

  #tooLarge(size: number): EdgeError {
    return stateTooLarge(this.#maxStateBytes, size);
  }

  #pin(blobId: number): void {
    this.#readers.set(blobId, (this.#readers.get(blobId) ?? 0) + 1);
  }

  #unpin(blobId: number): void {
    const left = (this.#readers.get(blobId) ?? 1) - 1;
    if (left > 0) return void this.#readers.set(blobId, left);
    this.#readers.delete(blobId);
    // Only a version replaced while it was read has anything to collect: a reader of the head leaves nothing.
    const size = this.#retiredHeld.get(blobId);
    if (size === undefined) return;
    this.#retiredHeld.delete(blobId);
    this.#collect({ blobId, size });
  }

  /** A replaced version's frames: a small blob's go now (a few rows), a large one's in the alarm, off the writer's path. */
  #collect(blob: { blobId: number; size: number }): void {
    if (blob.size <= INLINE_COLLECT_BYTES) this.#tables.dropBlob(blob.blobId);
    else this.#scheduleCollection();
  }
}

/** Frames [from, upto) of a blob, every one of them: a gap means the blob is broken. */
function frameBatch(
  tables: StateTables,
  blobId: number,
  from: number,
  upto: number,
): Uint8Array<ArrayBuffer>[] {
  const frames = tables.frames(blobId, from, upto);
  if (frames.length !== upto - from) {
    throw new EdgeError("INTERNAL", `state blob ${blobId} is missing frames ${from}..${upto - 1}`);
  }
  return frames;
}

export function stateTooLarge(limit: number, size: number): EdgeError {
  return new EdgeError("PAYLOAD_TOO_LARGE", `state exceeds the limit of ${limit} bytes`, {
    details: { limit, size },
  });
}

function incomplete(received: number, expected: number): EdgeError {
  return new EdgeError(
    "INCOMPLETE_BODY",
    `the request body has ${received} bytes but Content-Length declared ${expected}`,
    { details: { received, expected } },
  );
}
