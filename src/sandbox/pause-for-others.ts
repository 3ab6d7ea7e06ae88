// Between fuel slices a guest running under JSPI may wait one macrotask, which
// lets every other request queued on this thread run first (a microtask would
// not, and a round trip to the DO lets requests in but starves timers). Such a
// wait costs about 1 ms in workerd whatever the compute before it, so the
// pacer waits only once `pauseEveryMs` of wall time has passed since the last
// wait, or after `4 * pauseEveryMs` slices where the clock stands still during
// compute (production: a slice is ~0.25-1 ms). Where it pauses never changes
// the fuel charged. The wall-clock deadline of a sandbox call is checked at each wait.
import { EdgeError } from "../errors.js";

export class Pacer {
  readonly #deadline: number;
  readonly #deadlineMs: number;
  readonly #pauseEveryMs: number;
  #last = Date.now();
  #slices = 0;

  constructor(deadlineMs: number, pauseEveryMs: number) {
    this.#deadlineMs = deadlineMs;
    this.#pauseEveryMs = pauseEveryMs;
    this.#deadline = this.#last + deadlineMs;
  }

  /** Called at every slice boundary; a promise when the guest should wait. */
  slice(): Promise<void> | undefined {
    this.#slices++;
    const due = this.#slices >= 4 * this.#pauseEveryMs || Date.now() - this.#last >= this.#pauseEveryMs;
    return due ? this.#wait() : undefined;
  }

  async #wait(): Promise<void> {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.#slices = 0;
    this.#last = Date.now();
    if (this.#last > this.#deadline) {
      throw new EdgeError(
        "CONTRACT_DEADLINE",
        `the contract call ran past its ${this.#deadlineMs} ms deadline`,
        { details: { deadlineMs: this.#deadlineMs } },
      );
    }
  }
}
