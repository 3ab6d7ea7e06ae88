// Contract state as versioned blobs of 1 MiB rows (row-layout.ts). Uploads
// stream into a staged blob and become the head in one transaction; readers
// fetch rows in bounded batches and pin the blob they read so a concurrent
// commit never tears them. Neither path ever holds a whole state.
import type { Clock } from "../../clock.js";
import { EdgeError } from "../../errors.js";
import type { StateDigestFactory } from "../../hashing/state-digest.js";
import { FRAME_BYTES, INLINE_COLLECT_BYTES, ROW_BYTES } from "../../limits.js";
import { bytesEqual, chunkStream } from "../../bytes.js";
import { incomplete, stateTooLarge } from "./state-errors.js";
import { stageUpload } from "./stage-upload.js";
import { RowCursor, checkRange } from "./row-cursor.js";
import { RowLayout } from "./row-layout.js";
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
   * A state byte-identical to the head (same SHA-256 and size) makes no new version: the staged
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
  readonly #newDigest: StateDigestFactory;
  readonly #maxStateBytes: number;
  readonly #readers = new Map<number, number>();
  /** Replaced versions a reader still held at the commit (blob id to size): collected when the last lets go. */
  readonly #retiredHeld = new Map<number, number>();
  readonly #scheduleCollection: () => void;
  /** The bytes of the last small state committed from memory, by its blob: page reads of it need no SELECT. */
  #small: { blobId: number; bytes: Uint8Array } | null = null;

  constructor(tables: StateTables, clock: Clock, newDigest: StateDigestFactory, options: StateStoreOptions) {
    this.#tables = tables;
    this.#clock = clock;
    this.#newDigest = newDigest;
    this.#maxStateBytes = options.maxStateBytes;
    this.#scheduleCollection = options.scheduleCollection ?? (() => this.collectRetired());
  }

  /** After a restart nothing is uploading or reading: drop staged and retired blobs. */
  recover(): void {
    for (const blobId of this.#tables.blobsWithStatus("staged")) this.#tables.dropBlob(blobId);
    this.collectRetired();
  }

  /** Drops the rows of replaced versions that no reader holds. Idempotent. */
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
      if (body.length <= FRAME_BYTES) return this.#putSmall(body, options);
      body = chunkStream([body as Uint8Array<ArrayBuffer>].values());
    }
    const { expectedLength } = options;
    if (expectedLength !== undefined && expectedLength > this.#maxStateBytes) {
      await body?.cancel().catch(() => {});
      throw this.#tooLarge(expectedLength);
    }
    const blobId = this.#tables.newBlob(this.#clock.now(), ROW_BYTES);
    try {
      const staged = await stageUpload(this.#tables, this.#newDigest(), blobId, body, {
        expectedLength,
        maxStateBytes: this.#maxStateBytes,
      });
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

  async #putSmall(bytes: Uint8Array, options: PutOptions): Promise<StateVersion> {
    const { expectedLength } = options;
    if (bytes.length > this.#maxStateBytes) throw this.#tooLarge(bytes.length);
    if (expectedLength !== undefined && bytes.length !== expectedLength) {
      throw incomplete(bytes.length, expectedLength);
    }
    const digest = this.#newDigest();
    digest.update(bytes);
    const staged = { bytes, size: bytes.length, hash: await digest.digest() };
    const head = this.#identicalHead(staged, options);
    if (head) return head;
    await options.validate?.(staged);
    const version = this.#commit(options, () => {
      const now = this.#clock.now();
      const current = this.#tables.head();
      // A one-row head nobody reads takes the new bytes in place: one statement, where a new blob
      // costs its insert, its row and the old blob's two deletes (each ~0.1-0.2 ms of the thread).
      if (current && current.size <= FRAME_BYTES && !this.#readers.has(current.blobId)) {
        this.#tables.rewriteSingleRow(current.blobId, bytes);
        return this.#tables.promote(current.blobId, staged.size, staged.hash, now, true);
      }
      const blobId = this.#tables.newBlob(now, ROW_BYTES, "current");
      if (bytes.length > 0) this.#tables.putRow(blobId, 0, bytes);
      return this.#tables.promote(blobId, staged.size, staged.hash, now, true);
    });
    this.#small = { blobId: version.blobId, bytes: bytes.slice() };
    return version;
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
   * concurrent commit cannot drop it) until `release`. The guest refills 64 KiB
   * at a time, so the pin keeps the last row it fetched: sequential refills
   * cost one SELECT per row, not one per frame, and at most one row is held.
   */
  pin(blob: { blobId: number; size: number }): {
    read(offset: number, length: number): Uint8Array;
    release(): void;
  } {
    this.#pin(blob.blobId);
    const rows = new RowCursor(this.#tables, blob.blobId);
    let released = false;
    return {
      read: (offset, length) => {
        if (released) throw new EdgeError("INTERNAL", "state pages read after release");
        checkRange(blob.size, offset, length);
        const small = this.#small;
        if (small?.blobId === blob.blobId) return small.bytes.slice(offset, offset + length);
        return rows.read(offset, length);
      },
      release: () => {
        if (released) return;
        released = true;
        rows.forget();
        this.#unpin(blob.blobId);
      },
    };
  }

  /**
   * Streams [range.start, range.end) of the head state; the blob stays pinned until the stream ends.
   * Whole rows are enqueued as SQL returned them (cut only at the range's edges) and never kept.
   */
  read(head: StateVersion, range: ByteRange): ReadableStream<Uint8Array> {
    const { blobId } = head;
    this.#pin(blobId);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#unpin(blobId);
    };
    const layout = new RowLayout(this.#tables.rowBytesOf(blobId));
    const length = range.end - range.start;
    const { first, end } = layout.rowRange(range.start, length);
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
          const upto = Math.min(end, next + layout.rowsPerSelect);
          for (const [i, row] of tables.rows(blobId, next, upto).entries()) {
            const span = layout.rowSpan(next + i, range.start, length);
            const to = Math.min(row.length, span.end);
            // A subarray, not a copy: enqueue transfers the row's buffer, so nothing here keeps it.
            controller.enqueue(span.start === 0 && to === row.length ? row : row.subarray(span.start, to));
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

  /** A replaced version's rows: a small blob's go now (one row), a large one's in the alarm, off the writer's path. */
  #collect(blob: { blobId: number; size: number }): void {
    if (blob.size <= INLINE_COLLECT_BYTES) this.#tables.dropBlob(blob.blobId);
    else this.#scheduleCollection();
  }
}
