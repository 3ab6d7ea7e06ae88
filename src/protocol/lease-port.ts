// What the sandbox's fbmu imports ask of the instance's Durable Object, and
// the wire form of answers: bytes or a number, negative numbers being the
// shared host status codes. The DO implements it (LeaseTarget); each call
// commits there before it answers, so lease writes survive a later trap.
import { EdgeError, type ErrorCode } from "../errors.js";
import { HostStatus, type HostStatusCode } from "./host-status.js";

export interface LeasePort {
  arenaSize(): number | Promise<number>;
  /** Bytes read, or a negative status. */
  read(id: Uint8Array, offset: number, length: number): Uint8Array | number | Promise<Uint8Array | number>;
  /** Bytes written, or a negative status. */
  write(id: Uint8Array, offset: number, bytes: Uint8Array): number | Promise<number>;
  /** A 40-byte LeaseInfo, or a negative status. */
  alloc(minBytes: number, leaseSecs: number): Uint8Array | number | Promise<Uint8Array | number>;
  query(id: Uint8Array): Uint8Array | number | Promise<Uint8Array | number>;
  /** The new expiry (unix seconds), or a negative status. */
  renew(id: Uint8Array, secs: number): number | Promise<number>;
  free(id: Uint8Array): number | Promise<number>;
}

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
