// The names a metered module shares with the host that runs it. The rewriter
// adds them; uploaded modules may not use them.

/** Fuel left in the current slice (mutable i64 global the rewriter adds and exports). */
export const FUEL_EXPORT = "__edge_fuel";
/** Calls left before the stack limit (mutable i32 global, counts down; -1 after exhaustion). */
export const DEPTH_EXPORT = "__edge_depth";
/** Pages a `memory.grow` asked for and did not get (mutable i32 global; 0 while none was refused). */
export const GROW_REFUSED_EXPORT = "__edge_grow_refused";
/** The module's start function, exported so the host runs it metered (and under JSPI) after instantiation. */
export const START_EXPORT = "__edge_start";
/** Every name the rewriter adds starts with this; uploads may not export such names. */
export const RESERVED_EXPORT_PREFIX = "__edge_";

/** The import a metered guest calls when its slice runs out: `edge_meter.refuel() -> ()`. */
export const METER_MODULE = "edge_meter";
export const REFUEL_IMPORT = "refuel";
