// What an open instance does beyond one request, each opened on first use:
// its part in transactions across instances, its pub-sub feed and inbox, and
// its live subscribers. The Durable Object holds one of these per instance.
import type { Clock } from "../clock.js";
import type { InstanceRpc } from "../protocol/instance-rpc.js";
import type { SqlPort } from "../store/sql/sql-port.js";
import type { ContractExecutor } from "./contract-executor.js";
import type { OpenInstance } from "./open-instance.js";
import { openPubSub, type OpenPubSub } from "./pubsub/open-pubsub.js";
import { openSubscriptions, type OpenSubscriptions } from "./subscriptions/open-subscriptions.js";
import { openTransactions } from "./txn/open-transactions.js";
import type { Transactions } from "./txn/transactions.js";

export interface ServicesContext {
  state: DurableObjectState;
  instances: DurableObjectNamespace<InstanceRpc>;
  sql: SqlPort;
  clock: Clock;
  opened: OpenInstance;
  wakeAt(ms: number): void;
  /** An executor for the instance's code with default options (summaries and deltas for subscribers). */
  executor(): ContractExecutor;
}

export class InstanceServices {
  readonly #ctx: ServicesContext;
  #transactions: Transactions | undefined;
  #pubsub: OpenPubSub | undefined;
  #subscriptions: OpenSubscriptions | undefined;

  constructor(ctx: ServicesContext) {
    this.#ctx = ctx;
  }

  get transactions(): Transactions {
    this.#transactions ??= openTransactions(this.#ctx);
    return this.#transactions;
  }

  get pubsub(): OpenPubSub {
    this.#pubsub ??= openPubSub(this.#ctx);
    return this.#pubsub;
  }

  get subscriptions(): OpenSubscriptions {
    this.#subscriptions ??= openSubscriptions(this.#ctx);
    return this.#subscriptions;
  }

  /** After a commit that moved the head: subscribers hear of it after the writer's answer. */
  notify(): void {
    if (this.#ctx.state.getWebSockets().length > 0)
      this.#ctx.state.waitUntil(this.subscriptions.notifier.afterCommit());
  }
}
