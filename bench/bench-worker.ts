// The benchmark Worker: the real app and ContractObject, plus baselines measured
// in the same process: a RawSqlBench DO that writes and reads 64 KiB BLOB rows
// directly, and bare HTTP transport (the Worker swallowing or producing a body).
import { DurableObject } from "cloudflare:workers";
import app from "../src/index.js";
import type { Env } from "../src/env.js";
import { readFrames } from "../src/store/state/frame-reader.js";

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
    for (let i = 0; i < frames; i++) {
      frame[0] = i & 255;
      frame[1] = (i >> 8) & 255;
      this.ctx.storage.sql.exec(
        "INSERT INTO raw_frames (blob_id, idx, data) VALUES (?, ?, ?)",
        blobId,
        i,
        frame,
      );
    }
    return frames * FRAME;
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
