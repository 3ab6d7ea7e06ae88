// The benchmark Worker: the real app and ContractObject, plus a RawSqlBench DO
// that writes and reads 64 KiB BLOB rows directly, the baseline for ratios.
import { DurableObject } from "cloudflare:workers";
import app from "../src/index.js";
import { newHasher } from "../src/hashing/blake3-module.js";
import { readFrames } from "../src/state/frame-reader.js";

export { ContractObject } from "../src/index.js";

const FRAME = 64 * 1024;

interface BenchEnv {
  RAW_SQL: DurableObjectNamespace<RawSqlBench>;
}

export class RawSqlBench extends DurableObject<BenchEnv> {
  constructor(ctx: DurableObjectState, env: BenchEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS raw_frames (blob_id INTEGER NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (blob_id, idx))",
    );
  }

  // workerd's clock stands still during synchronous work, so the client times these calls.
  /** Writes `frames` rows of 64 KiB. */
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

  /** Reads a blob's rows back in batches of 16, as the state reader does. */
  read(blobId: number): number {
    let bytes = 0;
    for (let from = 0; ; from += 16) {
      const rows = this.ctx.storage.sql
        .exec<{ data: ArrayBuffer }>(
          "SELECT data FROM raw_frames WHERE blob_id = ? AND idx >= ? AND idx < ? ORDER BY idx",
          blobId,
          from,
          from + 16,
        )
        .toArray();
      for (const row of rows) bytes += row.data.byteLength;
      if (rows.length < 16) break;
    }
    return bytes;
  }

  /** Stage breakdown: read a body in frames, optionally hashing and/or storing each frame. */
  async ingest(
    body: ReadableStream<Uint8Array>,
    blobId: number,
    hash: boolean,
    store: boolean,
  ): Promise<number> {
    const hasher = newHasher();
    let bytes = 0;
    let index = 0;
    for await (const frame of readFrames(body, FRAME)) {
      bytes += frame.length;
      if (hash) hasher.update(frame);
      if (store)
        this.ctx.storage.sql.exec(
          "INSERT INTO raw_frames (blob_id, idx, data) VALUES (?, ?, ?)",
          blobId,
          index++,
          frame,
        );
    }
    return bytes;
  }

  /** Stage breakdown: a byte stream of `frames` generated 64 KiB chunks, optionally read from SQL. */
  emit(blobId: number, frames: number, fromSql: boolean): ReadableStream {
    let next = 0;
    const sql = this.ctx.storage.sql;
    return new ReadableStream({
      type: "bytes",
      pull(controller: ReadableByteStreamController) {
        if (next >= frames) {
          controller.close();
          return;
        }
        if (fromSql) {
          const rows = sql
            .exec<{ data: ArrayBuffer }>(
              "SELECT data FROM raw_frames WHERE blob_id = ? AND idx >= ? AND idx < ? ORDER BY idx",
              blobId,
              next,
              next + 16,
            )
            .toArray();
          for (const row of rows) controller.enqueue(new Uint8Array(row.data));
          next += 16;
        } else {
          controller.enqueue(new Uint8Array(FRAME));
          next++;
        }
      },
    });
  }

  drop(blobId: number): void {
    this.ctx.storage.sql.exec("DELETE FROM raw_frames WHERE blob_id = ?", blobId);
  }
}

export default {
  async fetch(request: Request, env: BenchEnv & Parameters<typeof app.fetch>[1], ctx: ExecutionContext) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/raw") {
      const stub = env.RAW_SQL.get(env.RAW_SQL.idFromName("raw"));
      const blobId = Number(url.searchParams.get("blob") ?? 1);
      const op = url.searchParams.get("op");
      if (op === "write") {
        return Response.json({ bytes: await stub.write(blobId, Number(url.searchParams.get("frames"))) });
      }
      if (op === "read") {
        return Response.json({ bytes: await stub.read(blobId) });
      }
      if (op === "sink") {
        let bytes = 0;
        for await (const frame of readFrames(request.body!, FRAME)) bytes += frame.length;
        return Response.json({ bytes });
      }
      if (op === "ingest") {
        const hash = url.searchParams.get("hash") === "1";
        const store = url.searchParams.get("store") === "1";
        return Response.json({ bytes: await stub.ingest(request.body!, blobId, hash, store) });
      }
      if (op === "gen") {
        let next = 0;
        const frames = Number(url.searchParams.get("frames"));
        return new Response(
          new ReadableStream({
            type: "bytes",
            pull(controller: ReadableByteStreamController) {
              if (next++ >= frames) controller.close();
              else controller.enqueue(new Uint8Array(FRAME));
            },
          }),
        );
      }
      if (op === "emit") {
        const frames = Number(url.searchParams.get("frames"));
        const stream = await stub.emit(blobId, frames, url.searchParams.get("sql") === "1");
        const fixed = url.searchParams.get("fixed") === "1";
        return new Response(fixed ? stream.pipeThrough(new FixedLengthStream(frames * FRAME)) : stream);
      }
      if (op === "drop") {
        await stub.drop(blobId);
        return Response.json({ ok: true });
      }
      return new Response("unknown op", { status: 400 });
    }
    return app.fetch(request, env, ctx);
  },
};
