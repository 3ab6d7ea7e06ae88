// GET /v1/transactions/:txid: a transaction's outcome as its coordinator (the
// instance whose run started it, named in the txid) recorded it.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { EdgeError, unwrap } from "../errors.js";
import { DescribedRoutes, errors, json, Timestamp } from "../http/openapi.js";
import { coordinatorOf, type TxnReport } from "../protocol/transaction.js";
import { instanceStub } from "./instance-stub.js";

const Report = z.object({
  txid: z.string(),
  status: z.enum(["committed", "aborted", "active"]),
  decidedAt: Timestamp.nullable(),
  discarded: z.array(z.string()).meta({ description: "call paths whose work was dropped" }),
  participants: z.array(z.object({ id: z.string(), settled: z.boolean() })),
});

const getTransaction = createRoute({
  method: "get",
  path: "/{txid}",
  summary: "A transaction's outcome, from its coordinator's record",
  request: {
    params: z.object({
      txid: z.string().meta({ description: "<coordinator instance id>-<32 hex digits>" }),
    }),
  },
  responses: {
    200: json(Report, "the coordinator's record"),
    ...errors("BAD_REQUEST", "INVALID_ID", "CONTRACT_NOT_FOUND", "TRANSACTION_NOT_FOUND"),
  },
});

export const transactionRoutes = new DescribedRoutes().openapi(getTransaction, async (c) => {
  const txid = c.req.param("txid");
  const coordinator = coordinatorOf(txid);
  if (!coordinator) {
    throw new EdgeError("BAD_REQUEST", "a transaction id is <coordinator instance id>-<32 hex digits>", {
      details: { txid: txid.slice(0, 120) },
    });
  }
  const { stub } = instanceStub(c.env, coordinator);
  return c.json(unwrap(await stub.transaction(txid)) as TxnReport, 200);
});
