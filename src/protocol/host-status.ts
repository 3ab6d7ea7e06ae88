// The one table of host-import status codes: 0 is success, expected failures
// are these stable negative numbers, shared by every namespace. The README's
// "Host status codes" table documents them (test/node/host-status-docs.test.ts).
export const HostStatus = {
  OK: 0,
  INVALID_ARGUMENT: -1,
  OUT_OF_BOUNDS: -2,
  OVERLAP: -3,
  NOT_MAPPED: -4,
  STORAGE_LIMIT: -5,
  IO_ERROR: -6,
  DISCONNECTED: -7,
  CAPACITY_EXCEEDED: -8,
  LEASE_EXPIRED: -9,
  REVOKED: -10,
  NOT_FOUND: -11,
  // edge_call (contract-to-contract calls): every way a call fails comes back as one of these.
  CALLEE_TRAPPED: -12,
  CALLEE_REFUSED: -13,
  CALLEE_OUT_OF_FUEL: -14,
  REENTRANCY_REFUSED: -15,
  CALL_DEPTH_EXCEEDED: -16,
  CONFLICT: -17,
  CALL_LIMIT: -18,
  CALLEE_UNSUPPORTED: -19,
  // test:shm blocks passed in a call: one is attached.
  BUSY: -20,
} as const;

export type HostStatusCode = (typeof HostStatus)[keyof typeof HostStatus];
