// The DO's end of fbmu: each call runs against the instance's LeaseStore and
// commits before it answers, which is what makes lease writes survive a trap
// later in the same execution.
import { RpcTarget } from "cloudflare:workers";
import { asStatus, type LeasePort } from "../../protocol/lease-port.js";
import { encodeLeaseInfo } from "../../protocol/lease-info-codec.js";
import type { LeaseStore } from "../../store/leases/lease-store.js";

export class LeaseTarget extends RpcTarget implements LeasePort {
  readonly #leases: LeaseStore;
  readonly #changed: () => void;

  /** `changed` runs after anything that moves an expiry or frees a lease (alarm scheduling). */
  constructor(leases: LeaseStore, changed: () => void) {
    super();
    this.#leases = leases;
    this.#changed = changed;
  }

  arenaSize(): number {
    return this.#leases.defaultArenaSize;
  }

  read(id: Uint8Array, offset: number, length: number): Uint8Array | number {
    return asStatus(() => this.#leases.read(id, offset, length));
  }

  write(id: Uint8Array, offset: number, bytes: Uint8Array): number {
    return asStatus(() => {
      this.#leases.write(id, offset, bytes);
      return bytes.length;
    });
  }

  alloc(minBytes: number, leaseSecs: number): Uint8Array | number {
    return asStatus(() => {
      const info = this.#leases.acquire(minBytes, leaseSecs);
      this.#changed();
      return encodeLeaseInfo(info);
    });
  }

  query(id: Uint8Array): Uint8Array | number {
    return asStatus(() => encodeLeaseInfo(this.#leases.get(id)));
  }

  renew(id: Uint8Array, secs: number): number {
    return asStatus(() => {
      const expiresAt = this.#leases.renew(id, secs);
      this.#changed();
      return expiresAt;
    });
  }

  free(id: Uint8Array): number {
    return asStatus(() => {
      this.#leases.free(id);
      this.#changed();
      return 0;
    });
  }
}
