// Fabric memory leases (README "Fabric memory leases"): byte-addressable memory with a TTL
// that outlives the execution that allocated it. Writes are durable as soon
// as the call returns; a trap later in the same execution does not undo them.
// Beside the leases every instance has a default arena: always there, never
// expires, not a lease, addressed by `null` where a lease id would go.
import type { Clock } from "../../clock.js";
import { EdgeError } from "../../errors.js";
import { FRAME_BYTES, WASM_PAGE_BYTES } from "../../limits.js";
import { frameSpans } from "../../protocol/frame-span.js";
import { LEASE_ID_BYTES, type LeaseInfoFields, type LeaseStatus } from "../../protocol/lease-info-codec.js";
import type { LeaseRow, LeaseTables } from "./lease-tables.js";

// The default arena's frames are stored under the all-zero id (so existing
// instances keep their bytes), which is why no lease may ever carry it.
const ARENA_KEY = new Uint8Array(LEASE_ID_BYTES);

/** A lease as the store answers it: the wire fields plus when it was taken. */
export interface LeaseInfo extends LeaseInfoFields {
  createdAt: number;
}

export interface LeaseOptions {
  /** Arena bytes all of an instance's live leases may hold together. */
  quotaBytes: number;
  /** Largest single lease. */
  maxLeaseBytes: number;
  defaultArenaBytes: number;
  /** How long frames of an expired lease are kept before the alarm reclaims them. */
  graceSecs: number;
  /** The longest a lease may be taken or renewed for at a time (LEASE_MAX_SECS). */
  maxLeaseSecs: number;
  randomId(): Uint8Array;
}

export class LeaseStore {
  readonly #tables: LeaseTables;
  readonly #clock: Clock;
  readonly #options: LeaseOptions;

  constructor(tables: LeaseTables, clock: Clock, options: LeaseOptions) {
    this.#tables = tables;
    this.#clock = clock;
    this.#options = options;
  }

  get defaultArenaSize(): number {
    return this.#options.defaultArenaBytes;
  }

  acquire(minBytes: number, leaseSecs: number): LeaseInfo {
    if (!Number.isSafeInteger(minBytes) || minBytes <= 0)
      throw invalid("minBytes must be a positive integer");
    this.#checkSecs("leaseSecs", leaseSecs);
    const arenaSize = Math.ceil(minBytes / WASM_PAGE_BYTES) * WASM_PAGE_BYTES;
    if (arenaSize > this.#options.maxLeaseBytes) {
      throw capacity(`a lease holds at most ${this.#options.maxLeaseBytes} bytes`, { requested: minBytes });
    }
    return this.#tables.transaction(() => {
      const held = this.#tables.heldBytes();
      if (held + arenaSize > this.#options.quotaBytes) {
        throw capacity(`the instance's leases may hold ${this.#options.quotaBytes} bytes; ${held} are held`, {
          requested: arenaSize,
          held,
        });
      }
      const now = this.#now();
      const row: LeaseRow = {
        id: this.#newId(),
        createdAt: now,
        expiresAt: now + leaseSecs,
        status: "active",
        arenaSize,
        reclaimed: false,
      };
      this.#tables.insert(row);
      return this.#info(row);
    });
  }

  /** Any known lease, whatever its status (query). */
  get(id: Uint8Array): LeaseInfo {
    return this.#info(this.#row(id));
  }

  list(): LeaseInfo[] {
    return this.#tables.all().map((row) => this.#info(row));
  }

  /** Extends the expiry to at least now + secs; returns the new expiry. */
  renew(id: Uint8Array, secs: number): number {
    this.#checkSecs("secs", secs);
    const row = this.#active(id);
    const expiresAt = Math.max(row.expiresAt, this.#now() + secs);
    this.#tables.setExpiry(id, expiresAt);
    return expiresAt;
  }

  free(id: Uint8Array): void {
    this.#active(id);
    this.#tables.revoke(id);
  }

  /**
   * Throws LEASE_OUT_OF_BOUNDS (or the lease's own error) unless [offset, +length) is readable now.
   * `id` null: the default arena.
   */
  requireRange(id: Uint8Array | null, offset: number, length: number): void {
    checkRange(offset, length, this.#arenaFor(id));
  }

  #checkSecs(name: string, secs: number): void {
    const max = this.#options.maxLeaseSecs;
    if (!Number.isSafeInteger(secs) || secs < 1 || secs > max) {
      throw new EdgeError("BAD_REQUEST", `${name} must be an integer from 1 to ${max} (LEASE_MAX_SECS)`, {
        details: { [name]: secs, max },
      });
    }
  }

  /** Bytes [offset, +length) of a lease's arena, or of the default arena when `id` is null. */
  read(id: Uint8Array | null, offset: number, length: number): Uint8Array {
    const size = this.#arenaFor(id);
    checkRange(offset, length, size);
    const key = id ?? ARENA_KEY;
    const out = new Uint8Array(length);
    for (const { index, start, end, at } of frameSpans(offset, length)) {
      const frame = this.#tables.frame(key, index);
      if (frame) out.set(frame.subarray(start, end), at);
    }
    return out;
  }

  /**
   * Writes into a lease's arena, or the default arena when `id` is null, in one
   * transaction; a whole aligned frame replaces its row without reading it.
   */
  write(id: Uint8Array | null, offset: number, bytes: Uint8Array): void {
    const size = this.#arenaFor(id);
    checkRange(offset, bytes.length, size);
    const key = id ?? ARENA_KEY;
    this.#tables.transaction(() => {
      for (const { index, start, end, at } of frameSpans(offset, bytes.length)) {
        const piece = bytes.subarray(at, at + end - start);
        if (piece.length === FRAME_BYTES) {
          this.#tables.putFrame(key, index, piece);
          continue;
        }
        const frame = this.#tables.frame(key, index) ?? new Uint8Array(FRAME_BYTES);
        frame.set(piece, start);
        this.#tables.putFrame(key, index, frame);
      }
    });
  }

  /** The alarm's work: reclaim frames of revoked and long-expired leases; returns when to wake next (unix s). */
  reclaim(): { reclaimed: number; nextWake: number | null } {
    const now = this.#now();
    const due = this.#tables.reclaimable(now, this.#options.graceSecs);
    this.#tables.transaction(() => {
      for (const row of due) this.#tables.reclaim(row.id);
    });
    return { reclaimed: due.length, nextWake: this.#tables.nextReclaim(this.#options.graceSecs) };
  }

  /** When the alarm next has lease work (unix seconds), without doing it. */
  nextWake(): number | null {
    return this.#tables.nextReclaim(this.#options.graceSecs);
  }

  #now(): number {
    return Math.floor(this.#clock.now() / 1000);
  }

  #status(row: LeaseRow): LeaseStatus {
    if (row.status === "revoked") return "revoked";
    return this.#now() >= row.expiresAt ? "expired" : "active";
  }

  #info(row: LeaseRow): LeaseInfo {
    return {
      id: row.id,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      status: this.#status(row),
      arenaSize: row.arenaSize,
    };
  }

  #row(id: Uint8Array): LeaseRow {
    if (id.length !== LEASE_ID_BYTES) throw invalid(`lease ids are ${LEASE_ID_BYTES} bytes`);
    if (isArenaKey(id)) {
      throw new EdgeError(
        "BAD_REQUEST",
        "the all-zero lease id names no lease (the default arena takes no id)",
        {
          details: { leaseId: "0".repeat(2 * LEASE_ID_BYTES) },
        },
      );
    }
    const row = this.#tables.get(id);
    if (!row) throw new EdgeError("LEASE_NOT_FOUND", "no lease with this id on this instance");
    return row;
  }

  /** The row of an Active lease; Expired and Revoked fail with their own codes. */
  #active(id: Uint8Array): LeaseRow {
    const row = this.#row(id);
    const status = this.#status(row);
    if (status === "revoked") throw new EdgeError("LEASE_REVOKED", "the lease was freed");
    if (status === "expired")
      throw new EdgeError("LEASE_EXPIRED", "the lease expired", { details: { expiresAt: row.expiresAt } });
    return row;
  }

  /** The arena size `id` may address now; null is the default arena. */
  #arenaFor(id: Uint8Array | null): number {
    if (id === null) return this.#options.defaultArenaBytes;
    return this.#active(id).arenaSize;
  }

  /** A fresh random id, refused if it is the default arena's key: its frames would mix with the arena's. */
  #newId(): Uint8Array {
    const id = this.#options.randomId();
    if (isArenaKey(id)) throw new EdgeError("INTERNAL", "the lease id source produced the all-zero id");
    return id;
  }
}

function isArenaKey(id: Uint8Array): boolean {
  return id.length === LEASE_ID_BYTES && id.every((byte) => byte === 0);
}

function checkRange(offset: number, length: number, size: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw invalid("offset and length must be non-negative integers");
  }
  if (offset + length > size) {
    throw new EdgeError(
      "LEASE_OUT_OF_BOUNDS",
      `[${offset}, +${length}) lies outside the ${size}-byte arena`,
      {
        details: { offset, length, arenaSize: size },
      },
    );
  }
}

function invalid(message: string): EdgeError {
  return new EdgeError("BAD_REQUEST", message);
}

function capacity(message: string, details: Record<string, unknown>): EdgeError {
  return new EdgeError("LEASE_CAPACITY_EXCEEDED", message, { details });
}
