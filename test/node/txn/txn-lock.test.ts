// The instance lock: one holder, re-entry by the same transaction, wait-die
// by age (older waits, younger gives way at once), every wait bounded.
import { describe, expect, it } from "vitest";
import { systemClock } from "../../../src/clock.js";
import { TxnLock } from "../../../src/contract/txn/txn-lock.js";
import { mayWait } from "../../../src/protocol/transaction.js";

const older = { txid: "old", age: 100 };
const younger = { txid: "young", age: 200 };

describe("TxnLock", () => {
  it("is taken once; the holder takes it again as 'already'", async () => {
    const lock = new TxnLock(systemClock);
    expect(await lock.acquire(older, { die: true, waitMs: 0 })).toBe("acquired");
    expect(await lock.acquire(older, { die: true, waitMs: 0 })).toBe("already");
    expect(lock.holder()).toEqual(older);
  });

  it("a younger transaction gives way at once; an older one waits until the holder lets go", async () => {
    const lock = new TxnLock(systemClock);
    await lock.acquire(younger, { die: true, waitMs: 0 });
    const started = Date.now();
    expect(await lock.acquire({ txid: "younger still", age: 300 }, { die: true, waitMs: 10_000 })).toBe(
      "conflict",
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    const waiting = lock.acquire(older, { die: true, waitMs: 10_000 });
    lock.release("not the holder");
    lock.release(younger.txid);
    expect(await waiting).toBe("acquired");
    expect(lock.holder()).toEqual(older);
  });

  it("waits at most waitMs, then answers conflict", async () => {
    const lock = new TxnLock(systemClock);
    await lock.acquire(younger, { die: true, waitMs: 0 });
    expect(await lock.acquire(older, { die: true, waitMs: 20 })).toBe("conflict");
    expect(await lock.acquire({ txid: "local", age: 999 }, { die: false, waitMs: 20 })).toBe("conflict");
    expect(lock.holder()).toEqual(younger);
    // Waiters that gave up are not kept.
    expect(lock.waiting).toBe(0);
  });

  it("wait-die orders any two transactions one way only", () => {
    expect(mayWait(older, younger)).toBe(true);
    expect(mayWait(younger, older)).toBe(false);
    const twin = { txid: "a", age: 5 };
    const other = { txid: "b", age: 5 };
    expect(mayWait(twin, other) !== mayWait(other, twin)).toBe(true);
  });
});
