// Between fuel slices a guest running under JSPI waits one macrotask, which
// lets every other request queued on this thread run first (a microtask would
// not). workerd's clock only moves across such waits, so this is also where
// the wall-clock deadline of a sandbox call is checked.
import { EdgeError } from "../errors.js";

export async function pauseForOthers(deadline: number, deadlineMs: number): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  if (Date.now() > deadline) {
    throw new EdgeError("CONTRACT_DEADLINE", `the contract call ran past its ${deadlineMs} ms deadline`, {
      details: { deadlineMs },
    });
  }
}
