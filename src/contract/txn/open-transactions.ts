// An instance's Transactions over its Durable Object: the SQL port and log,
// other instances reached through the CONTRACTS namespace, storage.sync for
// durability and ctx.abort for the fault-injection crash points.
import type { Clock } from "../../clock.js";
import { EdgeError } from "../../errors.js";
import { isComponentCode } from "../../namespaces/registry.js";
import type { InstanceRpc } from "../../protocol/instance-rpc.js";
import type { CalleeAnswer, TxnReport } from "../../protocol/transaction.js";
import type { SqlPort } from "../../store/sql/sql-port.js";
import { TransactionLog } from "../../store/txn/transaction-log.js";
import type { OpenInstance } from "../open-instance.js";
import { Transactions } from "./transactions.js";
import type { TxnPeer } from "./txn-ports.js";

export interface TransactionsContext {
  state: DurableObjectState;
  instances: DurableObjectNamespace<InstanceRpc>;
  sql: SqlPort;
  clock: Clock;
  opened: OpenInstance;
  wakeAt(ms: number): void;
}

export function openTransactions(ctx: TransactionsContext): Transactions {
  const { opened } = ctx;
  const record = () => opened.instance.get();
  return new Transactions({
    self: record()?.id ?? fail(),
    code: () => {
      const found = record();
      if (!found) return null;
      const { namespaces, reentrant } = found;
      return { namespaces, reentrant, component: isComponentCode(namespaces) };
    },
    hosts: opened.hosts,
    sql: ctx.sql,
    log: new TransactionLog(ctx.sql),
    clock: ctx.clock,
    wakeAt: ctx.wakeAt,
    peer: (id) => peerOf(ctx.instances, id),
    random: (bytes) => crypto.getRandomValues(new Uint8Array(bytes)),
    durable: () => ctx.state.storage.sync(),
    crash: (reason) => {
      ctx.state.abort(reason);
      throw new EdgeError("INTERNAL", reason);
    },
  });
}

/** Another instance's transaction RPCs (RPC's type mapping loses the answers' shapes; they are unchanged). */
function peerOf(instances: DurableObjectNamespace<InstanceRpc>, id: string): TxnPeer {
  const stub = instances.get(instances.idFromName(id));
  return {
    enter: async (context, input, blocks) => (await stub.txnEnter(context, input, blocks)) as CalleeAnswer,
    settle: async (txid, decision) => void (await stub.txnSettle(txid, decision)),
    outcome: async (txid) => (await stub.txnOutcome(txid)) as TxnReport | null,
  };
}

function fail(): never {
  throw new EdgeError("CONTRACT_NOT_FOUND", "no contract instance with this id");
}
