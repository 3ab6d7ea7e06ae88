// The DO's end of fbmu: each call runs against the instance's LeaseStore and
// commits before it answers, which is what makes lease writes survive a trap
// later in the same execution. Errors become the status a guest sees.
import { RpcTarget } from "cloudflare:workers";
import { EdgeError, type ErrorCode } from "../../errors.js";
import { HostStatus, type HostStatusCode } from "../../protocol/host-status.js";
import { encodeLeaseInfo } from "../../protocol/lease-info-codec.js";
import type { LeasePort } from "../../protocol/lease-port.js";
import type { LeaseStore } from "../../store/leases/lease-store.js";

const STATUS_BY_CODE: Partial<Record<ErrorCode, HostStatusCode>> = {
  BAD_REQUEST: HostStatus.INVALID_ARGUMENT,
  LEASE_NOT_FOUND: HostStatus.NOT_FOUND,
  LEASE_EXPIRED: HostStatus.LEASE_EXPIRED,
  LEASE_REVOKED: HostStatus.REVOKED,
  LEASE_CAPACITY_EXCEEDED: HostStatus.CAPACITY_EXCEEDED,
  LEASE_OUT_OF_BOUNDS: HostStatus.OUT_OF_BOUNDS,
};

/** Runs a lease operation, turning its EdgeError into the status a guest sees. */
export function asStatus<T>(run: () => T): T | HostStatusCode {
  try {
    return run();
  } catch (error) {
    if (error instanceof EdgeError) return STATUS_BY_CODE[error.code] ?? HostStatus.IO_ERROR;
    throw error;
  }
}

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

  read(id: Uint8Array | null, offset: number, length: number): Uint8Array | number {
    return asStatus(() => this.#leases.read(id, offset, length));
  }

  write(id: Uint8Array | null, offset: number, bytes: Uint8Array): number {
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
