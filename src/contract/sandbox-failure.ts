// How a sandbox call can fail outside the contract's own outcomes (those come
// back as values): the isolate stopped answering, or the runtime killed or
// lost it. Each maps to a stable code; nothing such a call did is committed.
import { EdgeError } from "../errors.js";

/** Settles like `work`, or fails with CONTRACT_DEADLINE after `ms`. */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new EdgeError("CONTRACT_DEADLINE", `the contract's sandbox did not answer within ${ms} ms`, {
            details: { deadlineMs: ms },
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * The isolate itself failed (the contract's own failures come back as outcomes):
 * a CPU-limit kill, a memory-limit kill, or a crash or restart. Nothing it did is
 * committed. The runtime gives these no code, so its message is all there is to go by.
 */
export function sandboxFailure(error: unknown): EdgeError {
  if (error instanceof EdgeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/CPU time limit/i.test(message)) {
    return new EdgeError("CPU_LIMIT", "the contract used its CPU time limit and was stopped", {
      cause: error,
    });
  }
  if (/memory limit/i.test(message)) {
    return new EdgeError("MEMORY_LIMIT", "the contract's sandbox ran out of memory and was stopped", {
      cause: error,
    });
  }
  return new EdgeError("SANDBOX_FAILED", "the contract's sandbox failed; nothing was committed, retry", {
    cause: error,
    details: { reason: message.slice(0, 200) },
  });
}
