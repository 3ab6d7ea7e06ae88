// One instance's part in transactions across instances (README "Contract
// calls", docs/transactions.md). Every `run` is a transaction coordinated by
// its own instance; one that never calls out commits locally as before. Calls
// stage each frame's changes under (txid, call path) in every instance they
// enter; the coordinator records its decision in the same SQLite transaction
// that applies its own changes, then tells the participants, which apply or
// drop theirs in one transaction each. An alarm finishes what a crash left.
import { EdgeError } from "../../errors.js";
import { encodeId } from "../../identity/ids.js";
import {
  MAX_CALLS_PER_TRANSACTION,
  TXN_IN_DOUBT_MS,
  TXN_LOCK_WAIT_MS,
  TXN_OUTCOME_RETENTION_MS,
  TXN_SETTLE_RETRY_MS,
} from "../../limits.js";
import type { PortFrame } from "../../namespaces/host-namespace.js";
import { HostStatus, type HostStatusCode } from "../../protocol/host-status.js";
import {
  ROOT_PATH,
  coordinatorOf,
  txnIdOf,
  type CalleeAnswer,
  type Decision,
  type Fault,
  type TxnContext,
  type TxnReport,
} from "../../protocol/transaction.js";
import type { HeldTxn } from "../../store/txn/transaction-log.js";
import type { PassedBlock } from "../../protocol/block-port.js";
import { takeReturnedBlocks } from "../../namespaces/shm-exchange.js";
import type { ByteResult } from "../contract-executor.js";
import { CallTarget } from "../ports/call-target.js";
import { CallFrame, refusal } from "./call-frame.js";
import { calleeFailure } from "./callee-failure.js";
import { abortTree, commitTree, faultAt } from "./decide.js";
import { callOut } from "./outgoing-call.js";
import { readAnswer } from "./read-answer.js";
import { stageFrame } from "./stage-frame.js";
import { settleAll } from "./settle.js";
import { TxnLock, type Acquired, type LockOwner } from "./txn-lock.js";
import { namespacesOf, type FrameRunner, type TopLevelResult, type TxnPorts } from "./txn-ports.js";

export class Transactions {
  readonly #ports: TxnPorts;
  readonly #lock: TxnLock;
  /** Transactions this instance coordinates that are running now: the outcome query says "active". */
  readonly #active = new Set<string>();
  #restored = false;

  constructor(ports: TxnPorts) {
    this.#ports = ports;
    this.#lock = new TxnLock(ports.clock);
  }

  /** The top-level `run`: this instance coordinates; the answer says what the transaction did. */
  async run(runFrame: FrameRunner, fault?: Fault): Promise<TopLevelResult> {
    const { self, clock, random } = this.#ports;
    const age = clock.now();
    const txid = txnIdOf(self, random(16));
    if ((await this.#take({ txid, age }, false)) === "conflict") throw conflict();
    this.#active.add(txid);
    const context: TxnContext = {
      txid,
      age,
      path: ROOT_PATH,
      stack: [self],
      discarded: [],
      fuel: null,
      callsLeft: MAX_CALLS_PER_TRANSACTION,
      ...(fault ? { fault } : {}),
    };
    const frame = new CallFrame(context);
    try {
      let result: ByteResult;
      try {
        result = await runFrame(this.#portFrame(frame));
      } catch (error) {
        if (frame.calledOut) await abortTree(this.#ports, frame);
        throw withTransaction(error, frame);
      }
      if (!frame.calledOut) {
        const written = this.#ports.sql.transaction(() => this.#ports.hosts.commit(result.changes));
        return { result, storageBytesWritten: written };
      }
      const { written, transaction } = await commitTree(this.#ports, frame, result);
      return { result, storageBytesWritten: written, transaction };
    } finally {
      this.#active.delete(txid);
      this.#lock.release(txid);
    }
  }

  /** A local writer (update_state): waits, bounded, for any transaction holding the instance. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const owner = { txid: `local-${encodeId(this.#ports.random(16))}`, age: this.#ports.clock.now() };
    if ((await this.#take(owner, false)) === "conflict") throw conflict();
    try {
      return await work();
    } finally {
      this.#lock.release(owner.txid);
    }
  }

  /** A call into this instance from another frame of `context.txid`. */
  async enter(context: TxnContext, runFrame: FrameRunner, blocks: PassedBlock[] = []): Promise<CalleeAnswer> {
    const { self, hosts } = this.#ports;
    const code = this.#ports.code();
    const refuse = (status: HostStatusCode) => refusal(context, status);
    if (!code) return refuse(HostStatus.NOT_FOUND);
    if (code.component || !hosts.transactional(code.namespaces)) return refuse(HostStatus.CALLEE_UNSUPPORTED);
    if (context.stack.includes(self) && !code.reentrant) return refuse(HostStatus.REENTRANCY_REFUSED);
    const taken = await this.#take({ txid: context.txid, age: context.age }, true);
    if (taken === "conflict") return refuse(HostStatus.CONFLICT);
    hosts.discard(code.namespaces, context.txid, context.discarded);
    const frame = new CallFrame({ ...context, stack: [...context.stack, self] });
    try {
      const result = await runFrame(this.#portFrame(frame, blocks));
      const output = await readAnswer(result);
      // Passed blocks go back up with the answer; the rest of the frame's changes wait here.
      const { staged, blocks: back } = takeReturnedBlocks(result.changes);
      // A decision may have come while the frame ran (its caller gave up at the deadline): stage nothing then.
      if (this.#lock.holder()?.txid !== frame.txid)
        throw new EdgeError("CONTRACT_DEADLINE", "the transaction ended while the call ran");
      stageFrame(this.#ports, frame, staged);
      if (faultAt(context.fault, "participant-crash-before-answer", self)) {
        await this.#ports.durable();
        this.#ports.crash(`fault injection: ${self} crashes before it answers a call of ${frame.txid}`);
      }
      const answer = frame.answer(self, HostStatus.OK, output, result.stats.fuel ?? 0);
      return back ? { ...answer, blocks: back } : answer;
    } catch (error) {
      hosts.discard(code.namespaces, frame.txid, [frame.path]);
      const failure = calleeFailure(error);
      return frame.answer(self, failure.status, failure.output, failure.fuel);
    }
  }

  /** The coordinator's decision reaching this participant (at least once; idempotent). */
  settle(txid: string, decision: Decision): void {
    if (faultAt(decision.fault, "participant-crash-before-commit", this.#ports.self)) {
      this.#ports.crash(`fault injection: ${this.#ports.self} crashes before it commits ${txid}`);
    }
    this.#settleHere(txid, decision);
  }

  /** What this coordinator knows of `txid` (null: nothing, so it never committed). */
  outcome(txid: string): TxnReport | null {
    const report = this.#ports.log.report(txid);
    if (report || !this.#active.has(txid)) return report;
    return { txid, status: "active", decidedAt: null, discarded: [], participants: [] };
  }

  /** The alarm's part: finish transactions left in doubt, retell decisions; returns when to look again. */
  async recover(): Promise<number | null> {
    this.#restore();
    const { log, clock } = this.#ports;
    let next: number | null = null;
    const later = (ms: number) => (next = next === null ? ms : Math.min(next, ms));
    for (const held of log.held()) {
      if (!(await this.#resolve(held))) later(clock.now() + TXN_IN_DOUBT_MS);
    }
    const retell = await settleAll(this.#ports, log.unsettled());
    if (retell) later(clock.now() + TXN_SETTLE_RETRY_MS);
    const oldest = log.prune(clock.now() - TXN_OUTCOME_RETENTION_MS);
    if (oldest !== null) later(oldest + TXN_OUTCOME_RETENTION_MS);
    return next;
  }

  #portFrame(frame: CallFrame, blocks: PassedBlock[] = []): PortFrame {
    const calls = new CallTarget((request) => callOut(this.#ports, frame, request));
    return { txid: frame.txid, calls, ...(blocks.length > 0 ? { blocks } : {}) };
  }

  /** Applies or drops what `txid` staged here, and lets the instance go. */
  #settleHere(txid: string, decision: Decision): void {
    const { hosts, log, sql } = this.#ports;
    if (log.isHeld(txid)) {
      const names = namespacesOf(this.#ports);
      sql.transaction(() => {
        hosts.discard(names, txid, decision.discarded);
        if (decision.outcome === "committed") hosts.applyStaged(names, txid);
        else hosts.dropStaged(names, txid);
        log.release(txid);
      });
    }
    this.#lock.release(txid);
  }

  /** Finishes a held transaction whose outcome is known; false while it is still undecided. */
  async #resolve(held: HeldTxn): Promise<boolean> {
    if (this.#active.has(held.txid)) return false;
    // A coordinator that lost its run before deciding: presumed abort (participants asking hear the same).
    if (held.role === "coordinator") {
      this.#settleHere(held.txid, { outcome: "aborted", discarded: [] });
      return true;
    }
    let report: TxnReport | null;
    try {
      report = await this.#ports.peer(held.coordinator).outcome(held.txid);
    } catch {
      return false;
    }
    if (report?.status === "active") return false;
    this.#settleHere(held.txid, { outcome: report?.status ?? "aborted", discarded: report?.discarded ?? [] });
    return true;
  }

  /** After an eviction the lock is whatever txn_held says. */
  #restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    const [held] = this.#ports.log.held();
    if (held) this.#lock.restore({ txid: held.txid, age: held.age });
  }

  async #take(owner: LockOwner, die: boolean): Promise<Acquired> {
    this.#restore();
    const taken = await this.#lock.acquire(owner, { die, waitMs: TXN_LOCK_WAIT_MS });
    if (taken !== "conflict") return taken;
    // The holder may be one an eviction or crash left in doubt, or one that entered here, changed
    // nothing and was never told its decision (its caller gave up): settle it if its outcome is known.
    const holder = this.#lock.holder();
    const coordinator = holder && coordinatorOf(holder.txid);
    if (!holder || !coordinator || this.#active.has(holder.txid)) return "conflict";
    const held = this.#ports.log.held().find((entry) => entry.txid === holder.txid) ?? {
      txid: holder.txid,
      coordinator,
      age: holder.age,
      role: coordinator === this.#ports.self ? "coordinator" : "participant",
      since: holder.age,
    };
    const stale = held.since < this.#ports.clock.now() - TXN_LOCK_WAIT_MS;
    if (!stale || !(await this.#resolve(held))) return "conflict";
    return this.#lock.acquire(owner, { die, waitMs: 0 });
  }
}

function conflict(): EdgeError {
  return new EdgeError(
    "CONFLICT",
    "another transaction holds this instance (it changed it and has not finished); retry",
    { details: { retryable: true } },
  );
}

/** A failed run's error, naming its transaction (it called out) for GET /v1/transactions/:txid. */
function withTransaction(error: unknown, frame: CallFrame): unknown {
  if (!frame.calledOut || !(error instanceof EdgeError)) return error;
  return new EdgeError(error.code, error.message, {
    cause: error.cause,
    details: { ...error.details, transaction: frame.txid, calls: frame.node("", "failed", null).calls },
  });
}
