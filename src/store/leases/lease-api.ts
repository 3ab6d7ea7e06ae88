// The lease routes' view of one instance's leases and default arena: an
// RpcTarget the DO hands out (after checking the instance exists), so lease
// wiring stays out of the Durable Object class.
import { RpcTarget } from "cloudflare:workers";
import { toOutcome, type Outcome } from "../../errors.js";
import { leaseStream, writeLeaseBody } from "./lease-bytes.js";
import type { LeaseInfo, LeaseStore } from "./lease-store.js";

/** The instance's default fbmu arena: no lease, no expiry, just its size. */
export interface ArenaInfo {
  arenaSize: number;
}

export class LeaseApi extends RpcTarget {
  readonly #leases: LeaseStore;
  readonly #changed: () => void;

  /** `changed` runs after anything that moves an expiry or frees a lease (alarm scheduling). */
  constructor(leases: LeaseStore, changed: () => void) {
    super();
    this.#leases = leases;
    this.#changed = changed;
  }

  list(): Promise<Outcome<LeaseInfo[]>> {
    return toOutcome(() => this.#leases.list());
  }

  acquire(minBytes: number, leaseSecs: number): Promise<Outcome<LeaseInfo>> {
    return toOutcome(() => {
      const info = this.#leases.acquire(minBytes, leaseSecs);
      this.#changed();
      return info;
    });
  }

  get(id: Uint8Array): Promise<Outcome<LeaseInfo>> {
    return toOutcome(() => this.#leases.get(id));
  }

  renew(id: Uint8Array, secs: number): Promise<Outcome<LeaseInfo>> {
    return toOutcome(() => {
      this.#leases.renew(id, secs);
      this.#changed();
      return this.#leases.get(id);
    });
  }

  free(id: Uint8Array): Promise<Outcome<LeaseInfo>> {
    return toOutcome(() => {
      this.#leases.free(id);
      this.#changed();
      return this.#leases.get(id);
    });
  }

  read(id: Uint8Array, offset: number, length: number): Promise<Outcome<ReadableStream<Uint8Array>>> {
    return toOutcome(() => this.#stream(id, offset, length));
  }

  write(
    id: Uint8Array,
    offset: number,
    body: ReadableStream<Uint8Array> | null,
    expectedLength: number,
  ): Promise<Outcome<{ written: number }>> {
    return toOutcome(() => writeLeaseBody(this.#leases, id, offset, body, expectedLength));
  }

  arena(): Promise<Outcome<ArenaInfo>> {
    return toOutcome(() => ({ arenaSize: this.#leases.defaultArenaSize }));
  }

  readArena(offset: number, length: number): Promise<Outcome<ReadableStream<Uint8Array>>> {
    return toOutcome(() => this.#stream(null, offset, length));
  }

  writeArena(
    offset: number,
    body: ReadableStream<Uint8Array> | null,
    expectedLength: number,
  ): Promise<Outcome<{ written: number }>> {
    return toOutcome(() => writeLeaseBody(this.#leases, null, offset, body, expectedLength));
  }

  /** `id` null: the default arena. */
  #stream(id: Uint8Array | null, offset: number, length: number): ReadableStream<Uint8Array> {
    // Checked whole before a byte streams: a stream cannot fail cleanly once the answer started.
    this.#leases.requireRange(id, offset, length);
    return leaseStream(this.#leases, id, offset, length);
  }
}
