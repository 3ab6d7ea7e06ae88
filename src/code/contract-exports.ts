// The exports each contract ABI needs, checked at upload.
import type { ImportSpec } from "../namespaces/host-namespace.js";

/** The generic entry (README "The run entry"): input and output through the Freenet buffers. */
export const RUN_EXPORTS: Record<string, ImportSpec | "memory"> = {
  memory: "memory",
  __frnt__initiate_buffer: { params: ["i32"], results: ["i64"] },
  run: { params: ["i64"], results: ["i64"] },
};

/** What a Freenet contract must export (freenet-stdlib's #[contract] output). */
export const FREENET_EXPORTS: Record<string, ImportSpec | "memory"> = {
  memory: "memory",
  __frnt__initiate_buffer: { params: ["i32"], results: ["i64"] },
  validate_state: { params: ["i64", "i64", "i64"], results: ["i64"] },
  update_state: { params: ["i64", "i64", "i64"], results: ["i64"] },
  summarize_state: { params: ["i64", "i64"], results: ["i64"] },
  get_state_delta: { params: ["i64", "i64", "i64"], results: ["i64"] },
};

/** A contract that exports this (no parameters, no results, never called) may be re-entered by a call (README "Contract calls"). */
export const REENTRANT_EXPORT = "edge_reentrant";
