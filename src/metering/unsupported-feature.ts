// The one way the rewriter refuses a module: a stable code naming the feature,
// so nothing it cannot meter is ever passed through unmetered.
import { EdgeError } from "../errors.js";

export type WasmFeature =
  | "threads"
  | "exception-handling"
  | "gc"
  | "tail-call"
  | "function-references"
  | "relaxed-simd"
  | "multi-memory"
  | "memory64"
  | "wide-arithmetic"
  | "reserved-name"
  | "unknown-opcode";

export function unsupported(feature: WasmFeature, what: string, offset: number): EdgeError {
  return new EdgeError(
    "WASM_FEATURE_UNSUPPORTED",
    `the module uses ${what} (${feature}), which the platform cannot meter; rebuild without it`,
    { details: { feature, offset } },
  );
}
