// The transaction log over real SQLite: held transactions, decisions with the
// participants still to be told, and pruning that never forgets a decision
// someone lacks.
import { describe, expect, it } from "vitest";
import { TransactionLog } from "../../../src/store/txn/transaction-log.js";
import { nodeSql } from "../support/node-sql.js";

describe("TransactionLog", () => {
  it("holds and releases; a second hold of the same transaction changes nothing", () => {
    const log = new TransactionLog(nodeSql());
    const held = { txid: "t", coordinator: "c", age: 5, role: "participant" as const, since: 9 };
    log.hold(held);
    log.hold({ ...held, since: 99 });
    expect(log.held()).toEqual([held]);
    expect(log.isHeld("t")).toBe(true);
    log.release("t");
    expect(log.held()).toEqual([]);
  });

  it("reports a decision and who has it; unsettled participants come oldest decision first", () => {
    const log = new TransactionLog(nodeSql());
    log.decide("new", { outcome: "aborted", discarded: [], decidedAt: 20 }, ["x"]);
    log.decide("old", { outcome: "committed", discarded: ["r.1"], decidedAt: 10 }, ["b", "a"]);
    log.settled("old", "a");
    expect(log.report("old")).toEqual({
      txid: "old",
      status: "committed",
      decidedAt: 10,
      discarded: ["r.1"],
      participants: [
        { id: "a", settled: true },
        { id: "b", settled: false },
      ],
    });
    expect(log.unsettled()).toEqual([
      { txid: "old", participant: "b" },
      { txid: "new", participant: "x" },
    ]);
    expect(log.report("none")).toBeNull();
  });

  it("prunes decisions older than the cut that everyone has, keeps the rest", () => {
    const log = new TransactionLog(nodeSql());
    log.decide("done", { outcome: "committed", discarded: [], decidedAt: 10 }, ["a"]);
    log.settled("done", "a");
    log.decide("lacking", { outcome: "committed", discarded: [], decidedAt: 11 }, ["b"]);
    log.decide("alone", { outcome: "aborted", discarded: [], decidedAt: 12 }, []);
    log.decide("recent", { outcome: "committed", discarded: [], decidedAt: 50 }, []);
    expect(log.prune(30)).toBe(11);
    expect(["done", "lacking", "alone", "recent"].map((txid) => log.report(txid)?.status ?? null)).toEqual([
      null,
      "committed",
      null,
      "committed",
    ]);
    expect(log.unsettled()).toEqual([{ txid: "lacking", participant: "b" }]);
  });
});
