// An instance's durable record of transactions: which one holds it (at most
// one: the lock survives an eviction with the staged rows it guards), and, as
// a coordinator, each decision with the participants still to be told.
import type { CallPath, TxnOutcome, TxnReport } from "../../protocol/transaction.js";
import { intOf, type SqlPort } from "../sql/sql-port.js";

export interface HeldTxn {
  txid: string;
  coordinator: string;
  age: number;
  role: "coordinator" | "participant";
  since: number;
}

export interface DecisionRecord {
  outcome: TxnOutcome;
  discarded: CallPath[];
  decidedAt: number;
}

export class TransactionLog {
  readonly #sql: SqlPort;

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS txn_held (
      txid TEXT PRIMARY KEY, coordinator TEXT NOT NULL, age INTEGER NOT NULL, role TEXT NOT NULL, since INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS txn_decisions (
      txid TEXT PRIMARY KEY, outcome TEXT NOT NULL, discarded TEXT NOT NULL, decided_at INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS txn_settlements (
      txid TEXT NOT NULL, participant TEXT NOT NULL, settled INTEGER NOT NULL, PRIMARY KEY (txid, participant))`);
  }

  held(): HeldTxn[] {
    return this.#sql.exec("SELECT txid, coordinator, age, role, since FROM txn_held").map((row) => ({
      txid: String(row.txid),
      coordinator: String(row.coordinator),
      age: intOf(row.age),
      role: row.role === "coordinator" ? "coordinator" : "participant",
      since: intOf(row.since),
    }));
  }

  hold(entry: HeldTxn): void {
    this.#sql.exec(
      "INSERT OR IGNORE INTO txn_held (txid, coordinator, age, role, since) VALUES (?, ?, ?, ?, ?)",
      entry.txid,
      entry.coordinator,
      entry.age,
      entry.role,
      entry.since,
    );
  }

  isHeld(txid: string): boolean {
    return this.#sql.exec("SELECT 1 FROM txn_held WHERE txid = ?", txid).length > 0;
  }

  release(txid: string): void {
    this.#sql.exec("DELETE FROM txn_held WHERE txid = ?", txid);
  }

  decide(txid: string, decision: DecisionRecord, participants: readonly string[]): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO txn_decisions (txid, outcome, discarded, decided_at) VALUES (?, ?, ?, ?)",
      txid,
      decision.outcome,
      JSON.stringify(decision.discarded),
      decision.decidedAt,
    );
    for (const participant of participants) {
      this.#sql.exec(
        "INSERT OR IGNORE INTO txn_settlements (txid, participant, settled) VALUES (?, ?, 0)",
        txid,
        participant,
      );
    }
  }

  decision(txid: string): DecisionRecord | null {
    const [row] = this.#sql.exec(
      "SELECT outcome, discarded, decided_at FROM txn_decisions WHERE txid = ?",
      txid,
    );
    if (!row) return null;
    return {
      outcome: row.outcome === "committed" ? "committed" : "aborted",
      discarded: JSON.parse(String(row.discarded)) as CallPath[],
      decidedAt: intOf(row.decided_at),
    };
  }

  report(txid: string): TxnReport | null {
    const decision = this.decision(txid);
    if (!decision) return null;
    const participants = this.#sql
      .exec("SELECT participant, settled FROM txn_settlements WHERE txid = ? ORDER BY participant", txid)
      .map((row) => ({ id: String(row.participant), settled: row.settled === 1 }));
    return {
      txid,
      status: decision.outcome,
      decidedAt: decision.decidedAt,
      discarded: decision.discarded,
      participants,
    };
  }

  settled(txid: string, participant: string): void {
    this.#sql.exec(
      "UPDATE txn_settlements SET settled = 1 WHERE txid = ? AND participant = ?",
      txid,
      participant,
    );
  }

  /** Participants a decision has not reached yet, oldest decision first. */
  unsettled(): Array<{ txid: string; participant: string }> {
    return this.#sql
      .exec(
        `SELECT s.txid, s.participant FROM txn_settlements s JOIN txn_decisions d ON d.txid = s.txid
         WHERE s.settled = 0 ORDER BY d.decided_at`,
      )
      .map((row) => ({ txid: String(row.txid), participant: String(row.participant) }));
  }

  /** Forgets decisions made before `before` that every participant has; returns when the next one may go. */
  prune(before: number): number | null {
    this.#sql.exec(
      `DELETE FROM txn_settlements WHERE txid IN (SELECT txid FROM txn_decisions WHERE decided_at < ?
         AND txid NOT IN (SELECT txid FROM txn_settlements WHERE settled = 0))`,
      before,
    );
    this.#sql.exec(
      `DELETE FROM txn_decisions WHERE decided_at < ? AND txid NOT IN (SELECT txid FROM txn_settlements)`,
      before,
    );
    const [row] = this.#sql.exec("SELECT MIN(decided_at) AS first FROM txn_decisions");
    return row && typeof row.first === "number" ? row.first : null;
  }
}
