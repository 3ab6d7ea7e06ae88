// Fuel is part of a call's outcome: the same call uses the same fuel on every
// runtime. These vectors are checked in node (runContract, no JSPI), in workerd
// with JSPI refills and in workerd with prefetched pages. They change only when
// the cost table or the rewriter changes (bump METERING_VERSION), or when the
// contract's build does.

/** validate_state of the counter example on the state u64 40, no related contracts. */
export const COUNTER_VALIDATE_FUEL = 1900;
