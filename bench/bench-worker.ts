// The benchmark Worker: the real app and ContractObject, plus baselines measured
// in the same process: a RawSqlBench DO that writes and reads BLOB rows directly
// (64 KiB, and the larger rows SQLite writes faster), and bare HTTP transport
// (the Worker swallowing or producing a body).
import { DurableObject } from "cloudflare:workers";
import app from "../src/index.js";
import type { Env } from "../src/env.js";
import { readFrames } from "../src/store/state/frame-reader.js";
import { WRITE_BATCH_FRAMES } from "../src/limits.js";

import { ContractObject } from "../src/index.js";

export { ContractObject };

/** The same object running contracts unmetered: the baseline of metered_vs_unmetered_validate only. */
export class UnmeteredContractObject extends ContractObject {
  protected override readonly metered = false;
}

const FRAME = 64 * 1024;
// As the state reader batches its SELECTs.
const READ_BATCH = 16;

interface BenchEnv extends Env {
  RAW_SQL: DurableObjectNamespace<RawSqlBench>;
  UNMETERED_CONTRACTS: DurableObjectNamespace<UnmeteredContractObject>;
}

// workerd's clock stands still during synchronous work, so the client times these calls.
export class RawSqlBench extends DurableObject<BenchEnv> {
  constructor(ctx: DurableObjectState, env: BenchEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS raw_frames (blob_id INTEGER NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (blob_id, idx))",
    );
  }

  /** Writes `frames` rows of 64 KiB in one synchronous run (one implicit transaction). */
  write(blobId: number, frames: number): number {
    const frame = new Uint8Array(FRAME);
    for (let i = 0; i < frames; i++) this.#insert(blobId, i, frame);
    return frames * FRAME;
  }

  /** One row, numbered in its first two bytes so no two rows are alike. */
  #insert(blobId: number, i: number, row: Uint8Array): void {
    row[0] = i & 255;
    row[1] = (i >> 8) & 255;
    this.ctx.storage.sql.exec("INSERT INTO raw_frames (blob_id, idx, data) VALUES (?, ?, ?)", blobId, i, row);
  }

  /**
   * Writes `rows` rows of `rowBytes` each, `perTxn` rows per transaction: the
   * row-size baselines, so a store with larger rows is judged against what
   * SQLite does at that size and batch.
   */
  writeRows(blobId: number, rows: number, rowBytes: number, perTxn: number): number {
    const row = new Uint8Array(rowBytes);
    for (let from = 0; from < rows; from += perTxn) {
      const to = Math.min(rows, from + perTxn);
      // Outside any other transaction, workerd makes each transactionSync a
      // SQLite transaction of its own, so this commits once per batch even
      // though the whole loop is one synchronous run.
      this.ctx.storage.transactionSync(() => {
        for (let i = from; i < to; i++) this.#insert(blobId, i, row);
      });
    }
    return rows * rowBytes;
  }

  /** One SELECT over the whole blob, iterating its cursor: the read ceiling at any row size. */
  readCursor(blobId: number): number {
    let bytes = 0;
    const rows = this.ctx.storage.sql.exec<{ data: ArrayBuffer }>(
      "SELECT data FROM raw_frames WHERE blob_id = ? ORDER BY idx",
      blobId,
    );
    for (const row of rows) bytes += row.data.byteLength;
    return bytes;
  }

  /** Reads a blob's rows back in batches; returns the bytes read. */
  read(blobId: number): number {
    let bytes = 0;
    for (let from = 0; ; from += READ_BATCH) {
      const rows = this.ctx.storage.sql
        .exec<{ data: ArrayBuffer }>(
          "SELECT data FROM raw_frames WHERE blob_id = ? AND idx >= ? AND idx < ? ORDER BY idx",
          blobId,
          from,
          from + READ_BATCH,
        )
        .toArray();
      for (const row of rows) bytes += row.data.byteLength;
      if (rows.length < READ_BATCH) return bytes;
    }
  }

  /** The bare DO round trip the small-update figure is compared with. */
  ping(): number {
    return 1;
  }

  drop(blobId: number): void {
    this.ctx.storage.sql.exec("DELETE FROM raw_frames WHERE blob_id = ?", blobId);
  }
}

function generated(frames: number): ReadableStream {
  let sent = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      if (sent++ >= frames) controller.close();
      else controller.enqueue(new Uint8Array(FRAME));
    },
  });
}

async function bench(request: Request, env: BenchEnv): Promise<Response> {
  const url = new URL(request.url);
  const stub = env.RAW_SQL.get(env.RAW_SQL.idFromName("raw"));
  const blobId = Number(url.searchParams.get("blob") ?? 1);
  const frames = Number(url.searchParams.get("frames") ?? 0);
  switch (url.searchParams.get("op")) {
    case "write":
      return Response.json({ bytes: await stub.write(blobId, frames) });
    case "read":
      return Response.json({ bytes: await stub.read(blobId) });
    case "write-rows": {
      const rows = Number(url.searchParams.get("rows") ?? 0);
      const rowBytes = Number(url.searchParams.get("rowBytes") ?? FRAME);
      const perTxn = Number(url.searchParams.get("perTxn") ?? WRITE_BATCH_FRAMES);
      return Response.json({ bytes: await stub.writeRows(blobId, rows, rowBytes, perTxn) });
    }
    case "read-cursor":
      return Response.json({ bytes: await stub.readCursor(blobId) });
    case "ping":
      return Response.json({ pong: await stub.ping() });
    case "drop":
      await stub.drop(blobId);
      return Response.json({ ok: true });
    case "sink": {
      let bytes = 0;
      if (request.body) for await (const frame of readFrames(request.body, FRAME)) bytes += frame.length;
      return Response.json({ bytes });
    }
    case "source":
      return new Response(generated(frames));
    default:
      return new Response("unknown op", { status: 400 });
  }
}

export default {
  async fetch(request: Request, env: BenchEnv, ctx: ExecutionContext) {
    if (new URL(request.url).pathname === "/__bench/raw") return bench(request, env);
    // The unmetered baseline: the same app and routes over the unmetered object class.
    if (request.headers.has("x-bench-unmetered")) {
      return app.fetch(request, { ...env, CONTRACTS: env.UNMETERED_CONTRACTS }, ctx);
    }
    return app.fetch(request, env, ctx);
  },
};
