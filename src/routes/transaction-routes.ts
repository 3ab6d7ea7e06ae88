// GET /v1/transactions/:txid: a transaction's outcome as its coordinator (the
// instance whose run started it, named in the txid) recorded it.
import { Hono } from "hono";
import type { Env } from "../env.js";
import { EdgeError, unwrap } from "../errors.js";
import { coordinatorOf, type TxnReport } from "../protocol/transaction.js";
import { instanceStub } from "./instance-stub.js";

export const transactionRoutes = new Hono<{ Bindings: Env }>();

transactionRoutes.get("/:txid", async (c) => {
  const txid = c.req.param("txid");
  const coordinator = coordinatorOf(txid);
  if (!coordinator) {
    throw new EdgeError("BAD_REQUEST", "a transaction id is <coordinator instance id>-<32 hex digits>", {
      details: { txid: txid.slice(0, 120) },
    });
  }
  const { stub } = instanceStub(c.env, coordinator);
  return c.json(unwrap(await stub.transaction(txid)) as TxnReport);
});
