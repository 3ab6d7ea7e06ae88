// Between fuel slices a guest running under JSPI may wait one macrotask, which
// lets every other request queued on this thread run first (a microtask would
// not, and a round trip to the DO lets requests in but starves timers). Such a
// wait costs about 1 ms in workerd whatever the compute before it, so the
// pacer waits only once `pauseEveryMs` of wall time has passed since the last
// wait, or after `4 * pauseEveryMs` slices where the clock stands still during
// compute (production: a slice is ~0.25-1 ms). Where it pauses never changes
// the fuel charged. The wall-clock deadline of a sandbox call is checked at each wait.
import { systemClock, type Clock } from "../clock.js";
import { EdgeError } from "../errors.js";

export interface PacerOptions {
  deadlineMs: number;
  pauseEveryMs: number;
  clock?: Clock;
  /** One macrotask by default. */
  wait?: () => Promise<void>;
}

const nextMacrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class Pacer {
  readonly #options: PacerOptions;
  readonly #clock: Clock;
  readonly #deadline: number;
  #last: number;
  #slices = 0;

  constructor(options: PacerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#last = this.#clock.now();
    this.#deadline = this.#last + options.deadlineMs;
  }

  /** Called at every slice boundary; a promise when the guest should wait. */
  slice(): Promise<void> | undefined {
    this.#slices++;
    const { pauseEveryMs } = this.#options;
    const due = this.#slices >= 4 * pauseEveryMs || this.#clock.now() - this.#last >= pauseEveryMs;
    return due ? this.#wait() : undefined;
  }

  async #wait(): Promise<void> {
    await (this.#options.wait ?? nextMacrotask)();
    this.#slices = 0;
    this.#last = this.#clock.now();
    if (this.#last > this.#deadline) {
      const { deadlineMs } = this.#options;
      throw new EdgeError("CONTRACT_DEADLINE", `the contract call ran past its ${deadlineMs} ms deadline`, {
        details: { deadlineMs },
      });
    }
  }
}
