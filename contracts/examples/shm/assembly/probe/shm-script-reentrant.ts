// shm-script.ts, but re-enterable: exporting edge_reentrant lets a call tree
// come back into this instance while it is suspended in a call. The build
// compiles it to build/contracts/shm-script-reentrant.wasm.
export * from "./shm-script";

/** The host only looks for this export; it is never called. */
export function edge_reentrant(): void {}
