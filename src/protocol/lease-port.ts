// What the sandbox's fbmu imports ask of the instance's Durable Object, and
// the wire form of answers: bytes or a number, negative numbers being the
// shared host status codes. The DO implements it (LeaseTarget); each call
// commits there before it answers, so lease writes survive a later trap.
// A null id is the instance's default arena.

type Answer<T> = T | number | Promise<T | number>;

export interface LeasePort {
  arenaSize(): number | Promise<number>;
  /** Bytes read, or a negative status. */
  read(id: Uint8Array | null, offset: number, length: number): Answer<Uint8Array>;
  /** Bytes written, or a negative status. */
  write(id: Uint8Array | null, offset: number, bytes: Uint8Array): number | Promise<number>;
  /** A 40-byte LeaseInfo, or a negative status. */
  alloc(minBytes: number, leaseSecs: number): Answer<Uint8Array>;
  query(id: Uint8Array): Answer<Uint8Array>;
  /** The new expiry (unix seconds), or a negative status. */
  renew(id: Uint8Array, secs: number): number | Promise<number>;
  free(id: Uint8Array): number | Promise<number>;
}
