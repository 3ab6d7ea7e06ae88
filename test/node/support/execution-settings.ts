// The settings a sandbox call carries, for node tests that drive the sandbox's
// own executeContract: the defaults' sizes, unmetered, a JSPI guest when the
// runtime has it (node has not: its calls prefetch).
import type { ExecutionSettings } from "../../../src/protocol/sandbox-call.js";

export const unmeteredSettings: ExecutionSettings = {
  memoryLimitBytes: 64 << 20,
  readAheadBytes: 1 << 20,
  pageMode: "auto",
  fuel: null,
  deadlineMs: 30_000,
  pauseEveryMs: 4,
};

/** A fuel budget far above what the fixture contracts burn. */
export const testFuel = { limit: 1_000_000_000, slice: 1_000_000, depthLimit: 1500 };
