// The one cost table. A fuel unit is about one simple wasm instruction (~1 ns
// on this machine's V8); other costs are sized to the work they stand for in
// those units, so a budget of fuel is a budget of CPU on every runtime. The
// numbers are part of what a call costs: changing one changes every contract's
// fuel, so they only change with METERING_VERSION.

/** Bump when a cost or the instrumentation changes: stored metered code is keyed by it. */
export const METERING_VERSION = 1;

/** Guest instructions, charged by the rewritten module itself. */
export const GUEST_COST = {
  /** Every instruction not listed below. */
  instruction: 1,
  /** Each metered block also pays for its own charge (~8 instructions of bookkeeping, ~1 ns). */
  blockEntry: 1,
  /** A direct call: frame setup and the callee's entry checks. */
  call: 4,
  /** An indirect call adds the table bounds and signature checks. */
  callIndirect: 8,
  /** memory.fill / copy / init: 1 unit per 2^4 = 16 bytes (memset/memcpy run ~16 bytes per ns). */
  bulkByteShift: 4,
  /** memory.grow: 2^12 = 4096 units per 64 KiB page, the same 1 per 16 bytes (new pages are zeroed); a refused grow is free. */
  growPageShift: 12,
  /** table.grow / fill / copy / init: 1 unit per element moved (a refused table.grow is free). */
  tableElementShift: 0,
} as const;

/** Host imports, charged by the host before it does the work. */
export const HOST_COST = {
  /** Any host call: the JS boundary crossing and argument checks (~300 ns under JSPI, measured). */
  call: 250,
  /** Bytes copied between guest memory and the host (refills, storage, leases, logs): 1 per 16 bytes. */
  byteShift: 4,
  /** An fbmu call that commits in the Durable Object (RPC plus a SQLite transaction, ~50 us). */
  durableCall: 50_000,
  /** A wasi:filesystem call that resolves a path or a node (may look it up in the DO), on top of `call`. */
  fileOp: 2_000,
} as const;

/** Fuel for `bytes` bytes moved by the host. */
export function hostBytesCost(bytes: number): number {
  return HOST_COST.call + Math.floor(bytes / 2 ** HOST_COST.byteShift);
}
