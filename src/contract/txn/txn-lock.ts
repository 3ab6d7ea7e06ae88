// One instance's transaction lock: one transaction (or local writer) holds it
// at a time. Waits are wait-die by transaction age, so no cycle of call trees
// can wait on itself, and every wait is bounded: nothing waits forever.
import type { Clock } from "../../clock.js";
import { mayWait } from "../../protocol/transaction.js";

export interface LockOwner {
  txid: string;
  /** Start time (unix ms): the older of two transactions may wait for the younger. */
  age: number;
}

export type Acquired = "acquired" | "already" | "conflict";

export interface AcquireOptions {
  /** Wait-die: a younger requester gives way at once (transactions); false for a local writer holding nothing. */
  die: boolean;
  waitMs: number;
}

export class TxnLock {
  readonly #clock: Clock;
  #holder: LockOwner | null = null;
  #released: Array<() => void> = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  holder(): LockOwner | null {
    return this.#holder;
  }

  /** Takes the lock for `owner` (restoring one held before an eviction). */
  restore(owner: LockOwner): void {
    this.#holder = owner;
  }

  async acquire(owner: LockOwner, options: AcquireOptions): Promise<Acquired> {
    const deadline = this.#clock.now() + options.waitMs;
    for (;;) {
      const holder = this.#holder;
      if (holder === null) {
        this.#holder = owner;
        return "acquired";
      }
      if (holder.txid === owner.txid) return "already";
      if (options.die && !mayWait(owner, holder)) return "conflict";
      const left = deadline - this.#clock.now();
      if (left <= 0 || !(await this.#releasedWithin(left))) return "conflict";
    }
  }

  release(txid: string): void {
    if (this.#holder?.txid !== txid) return;
    this.#holder = null;
    const waiting = this.#released;
    this.#released = [];
    for (const wake of waiting) wake();
  }

  #releasedWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      // A waiter that gives up leaves the list, so waits that time out hold nothing.
      const timer = setTimeout(() => {
        this.#released = this.#released.filter((waiting) => waiting !== wake);
        resolve(false);
      }, ms);
      this.#released.push(wake);
    });
  }

  /** Waiters still queued for a release (the ones that timed out are gone). */
  get waiting(): number {
    return this.#released.length;
  }
}
