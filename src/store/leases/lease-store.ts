// Fabric memory leases (SPEC section 7): byte-addressable memory with a TTL
// that outlives the execution that allocated it. Writes are durable as soon
// as the call returns; a trap later in the same execution does not undo them.
import type { Clock } from "../../clock.js";
import { EdgeError } from "../../errors.js";
import { WASM_PAGE_BYTES } from "../../limits.js";
import type { LeaseRow, LeaseTables } from "./lease-tables.js";

export const LEASE_ID_BYTES = 16;
export const LEASE_FRAME_BYTES = 64 * 1024;
/** The instance's default arena: always there, never expires, not a lease. */
export const DEFAULT_ARENA_ID = new Uint8Array(LEASE_ID_BYTES);

export type LeaseStatus = "active" | "expired" | "revoked";

export interface LeaseInfo {
  id: Uint8Array;
  createdAt: number;
  expiresAt: number;
  status: LeaseStatus;
  arenaSize: number;
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
        id: this.#options.randomId(),
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

  /** Throws LEASE_OUT_OF_BOUNDS (or the lease's own error) unless [offset, +length) is readable now. */
  requireRange(id: Uint8Array, offset: number, length: number): void {
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

  read(id: Uint8Array, offset: number, length: number): Uint8Array {
    const size = this.#arenaFor(id);
    checkRange(offset, length, size);
    const out = new Uint8Array(length);
    this.#frames(offset, length, (index, start, end, at) => {
      const frame = this.#tables.frame(id, index);
      if (frame) out.set(frame.subarray(start, end), at);
    });
    return out;
  }

  /** Writes in one transaction; a whole aligned frame replaces its row without reading it. */
  write(id: Uint8Array, offset: number, bytes: Uint8Array): void {
    const size = this.#arenaFor(id);
    checkRange(offset, bytes.length, size);
    this.#tables.transaction(() => {
      this.#frames(offset, bytes.length, (index, start, end, at) => {
        const piece = bytes.subarray(at, at + end - start);
        if (piece.length === LEASE_FRAME_BYTES) {
          this.#tables.putFrame(id, index, piece);
          return;
        }
        const frame = this.#tables.frame(id, index) ?? new Uint8Array(LEASE_FRAME_BYTES);
        frame.set(piece, start);
        this.#tables.putFrame(id, index, frame);
      });
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

  #arenaFor(id: Uint8Array): number {
    if (id.every((byte) => byte === 0)) return this.#options.defaultArenaBytes;
    return this.#active(id).arenaSize;
  }

  #frames(
    offset: number,
    length: number,
    visit: (index: number, start: number, end: number, at: number) => void,
  ): void {
    for (let at = 0; at < length;) {
      const index = Math.floor((offset + at) / LEASE_FRAME_BYTES);
      const start = offset + at - index * LEASE_FRAME_BYTES;
      const end = Math.min(LEASE_FRAME_BYTES, start + length - at);
      visit(index, start, end, at);
      at += end - start;
    }
  }
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
