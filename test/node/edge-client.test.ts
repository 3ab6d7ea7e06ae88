// The typed client and the CLI against a real local server (wrangler dev on
// workerd, as `npm start` runs it): streamed state both ways with progress, a
// resumed download, the error class, a live subscription, and the CLI
// (bin/edge-contracts.mjs on the build's bundle) with its exit codes.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blake3 } from "@noble/hashes/blake3.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/dev-server.mjs";
import { EdgeApiError } from "../../src/client/api-error.js";
import type { ClientOptions, EdgeClientApi, Notification } from "../../src/client/types.js";

// The node typecheck has no Worker types, so it cannot follow edge-client.ts into the app
// (AppType): the test loads the class at run time and types it by its interface (types.ts).
const clientModule = "../../src/client/edge-client.js";
const { EdgeClient } = (await import(clientModule)) as {
  EdgeClient: new (baseUrl: string, options?: ClientOptions) => EdgeClientApi;
};

const port = 19_000 + Math.floor(Math.random() * 900);
let server: DevServer;
let persist: string;
let client: EdgeClientApi;

beforeAll(async () => {
  persist = mkdtempSync(join(tmpdir(), "edge-client-"));
  server = await startDevServer({ port, persistTo: persist, quiet: true });
  client = new EdgeClient(server.origin);
}, 120_000);

afterAll(() => {
  server?.stop();
  rmSync(persist, { recursive: true, force: true });
});

/** 64 MiB that differ in every 4 KiB block, so a misplaced range would show. */
function bigState(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  for (let at = 0; at < size; at += 4096) view.setUint32(at, at / 4096 + 1, true);
  return bytes;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(blake3(bytes)).toString("hex");
}

async function instanceOf(contract: string): Promise<string> {
  const { codeHash } = await client.uploadCode(readFileSync(`build/contracts/${contract}.wasm`));
  const { id } = await client.createContract({ codeHash, parameters: new Uint8Array(0) });
  return id;
}

/** One append-log entry: [u32 LE length][bytes]. */
function entry(text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, 4);
  return out;
}

interface TcpProxy {
  origin: string;
  /** Connections it has passed through to the server. */
  readonly accepted: number;
  /** Destroys every live connection, both sides, as a network failure would. */
  cut(): void;
  /** While refusing, a new connection is dropped at once (the server is unreachable). */
  refuse(refusing: boolean): void;
  close(): Promise<void>;
}

/** A TCP proxy to the dev server: a real disconnect the client cannot tell from a network's. */
async function tcpProxy(target: number): Promise<TcpProxy> {
  const live = new Set<Socket>();
  let refusing = false;
  let accepted = 0;
  const cut = () => {
    for (const socket of live) socket.destroy();
    live.clear();
  };
  const listener = createServer((downstream) => {
    if (refusing) return void downstream.destroy();
    accepted++;
    const upstream = connect(target, "127.0.0.1");
    live.add(downstream).add(upstream);
    const drop = () => {
      downstream.destroy();
      upstream.destroy();
      live.delete(downstream);
      live.delete(upstream);
    };
    for (const socket of [downstream, upstream]) socket.on("error", drop).on("close", drop);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const { port: proxyPort } = listener.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${proxyPort}`,
    get accepted() {
      return accepted;
    },
    cut,
    refuse: (value) => void (refusing = value),
    close: () => {
      cut();
      return new Promise((resolve) => listener.close(() => resolve()));
    },
  };
}

/** Resolves once `done()` holds, polling; rejects with `what` after `ms`. */
async function until(done: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

describe("EdgeClient", () => {
  it("puts and gets a 64 MiB state with progress, and resumes a download from the middle", async () => {
    const id = await instanceOf("accept-all");
    const state = bigState(64 << 20);
    const sent: number[] = [];
    const written = await client.putState(id, state, { onProgress: (bytes) => sent.push(bytes) });
    expect(written.size).toBe(state.length);
    expect(sent.at(-1)).toBe(state.length);
    expect(sent.every((bytes, index) => index === 0 || bytes > sent[index - 1]!)).toBe(true);

    const received: number[] = [];
    const { info, body } = await client.getState(id, { onProgress: (bytes) => received.push(bytes) });
    const got = new Uint8Array(await new Response(body).arrayBuffer());
    expect(info).toEqual({ version: written.version, hash: written.hash, size: state.length });
    expect(hex(got)).toBe(hex(state));
    expect(received.at(-1)).toBe(state.length);

    const half = state.length / 2;
    const parts: Uint8Array[] = [state.subarray(0, half)];
    await client.downloadState(id, (chunk) => void parts.push(chunk.slice()), { resumeFrom: half });
    expect(hex(Buffer.concat(parts))).toBe(hex(state));

    // The first answer's body breaks after 8 MiB: downloadState continues with a Range request.
    let answers = 0;
    const breaking = new EdgeClient(server.origin, {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (answers++ > 0 || !response.body) return response;
        const reader = response.body.getReader();
        let passed = 0;
        const cut = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (passed >= 8 << 20) {
              // As a reset connection would: the first answer's socket goes, and nothing is left unread.
              await reader.cancel().catch(() => {});
              return controller.error(new Error("connection reset"));
            }
            const { done, value } = await reader.read();
            if (done) return controller.close();
            passed += value.length;
            controller.enqueue(value);
          },
        });
        return new Response(cut, { status: response.status, headers: response.headers });
      },
    });
    const resumed: Uint8Array[] = [];
    await breaking.downloadState(id, (chunk) => void resumed.push(chunk.slice()));
    expect(answers).toBe(2);
    expect(hex(Buffer.concat(resumed))).toBe(hex(state));

    // A request that gets no answer at all (a stale kept-alive connection) is retried too.
    let attempts = 0;
    const unanswered = new EdgeClient(server.origin, {
      fetch: async (input, init) => {
        if (attempts++ === 0) throw new TypeError("fetch failed", { cause: new Error("other side closed") });
        return fetch(input, init);
      },
    });
    const retried: Uint8Array[] = [];
    await unanswered.downloadState(id, (chunk) => void retried.push(chunk.slice()), { resumeFrom: half });
    expect(attempts).toBe(2);
    expect(hex(Buffer.concat([state.subarray(0, half), ...retried]))).toBe(hex(state));
  }, 60_000);

  it("turns an error answer into EdgeApiError with the stable code", async () => {
    const missing = "11111111111111111111111111111111";
    const error = await client.describe(missing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EdgeApiError);
    expect(error).toMatchObject({ code: "CONTRACT_NOT_FOUND", status: 404 });
  });

  it("subscribes to an append-log instance and gets the change", async () => {
    const id = await instanceOf("append-log");
    await client.putState(id, entry("first"));
    const seen: Notification[] = [];
    const changed = new Promise<Notification>((resolve, reject) => {
      const subscription = client.subscribe(id, {
        onChange: (notification) => {
          seen.push(notification);
          if (notification.type === "state" && seen.length === 1) {
            void client.update(id, entry("second"), "delta").catch(reject);
          } else if (notification.version > seen[0]!.version) {
            subscription.close();
            resolve(notification);
          }
        },
      });
      setTimeout(() => reject(new Error("no change within 20 s")), 20_000);
    });
    const change = await changed;
    expect(seen[0]?.bytes).toEqual(entry("first"));
    expect(change.version).toBe(seen[0]!.version + 1);
    expect(change.bytes?.length).toBeGreaterThan(0);
  }, 30_000);

  it("reconnects by itself after its connection is cut, and catches up with no gap and no duplicate", async () => {
    const id = await instanceOf("append-log");
    await client.putState(id, entry("first"));
    const proxy = await tcpProxy(port);
    const proxied = new EdgeClient(proxy.origin);
    const seen: Notification[] = [];
    const errors: Error[] = [];
    const subscription = proxied.subscribe(id, {
      onChange: (notification) => void seen.push(notification),
      onError: (error) => void errors.push(error),
      backoffMs: 50,
      maxBackoffMs: 200,
    });
    const reached = (version: number) => () => seen.some((n) => n.version >= version);
    try {
      await until(() => seen.length > 0, "the initial state");
      const second = await client.update(id, entry("second"), "delta");
      await until(reached(second.version), "the delta of second");

      // Cut, and keep the server unreachable while the instance moves on, so the client
      // misses those commits and must resume from the summary it holds.
      proxy.refuse(true);
      proxy.cut();
      await until(() => errors.length > 0, "the disconnect");
      await client.update(id, entry("third"), "delta");
      const fourth = await client.update(id, entry("fourth"), "delta");
      expect(seen.at(-1)?.version).toBe(second.version);
      proxy.refuse(false);
      await until(reached(fourth.version), "the catch-up after reconnecting");

      const fifth = await client.update(id, entry("fifth"), "delta");
      await until(reached(fifth.version), "the delta of fifth");
    } finally {
      subscription.close();
      await proxy.close();
    }

    const { info, body } = await client.getState(id);
    const head = new Uint8Array(await new Response(body).arrayBuffer());
    const versions = seen.map((n) => n.version);
    expect(versions.every((version, index) => index === 0 || version > versions[index - 1]!)).toBe(true);
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.at(-1)).toBe(info.version);
    expect(seen[0]?.type).toBe("state");
    expect(seen.slice(1).map((n) => n.type)).toEqual(seen.slice(1).map(() => "delta"));
    expect(concat(seen.map((n) => n.bytes ?? new Uint8Array(0)))).toEqual(head);
    expect(head).toEqual(concat(["first", "second", "third", "fourth", "fifth"].map(entry)));
    expect(errors.some((error) => /reconnecting/.test(error.message))).toBe(true);
    expect(proxy.accepted).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("ends a subscription to an instance that does not exist, instead of reconnecting", async () => {
    const missing = "11111111111111111111111111111111";
    const errors: Error[] = [];
    const checks: string[] = [];
    // The WebSocket does not go through `fetch`, the instance check does: one per failed connect,
    // so a second would mean it kept reconnecting.
    const counting = new EdgeClient(server.origin, {
      fetch: (input, init) => {
        checks.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      },
    });
    const started = Date.now();
    const ended = await new Promise<Error>((resolve, reject) => {
      counting.subscribe(missing, {
        onChange: () => reject(new Error("a notification for a missing instance")),
        onError: (error) => void errors.push(error),
        onEnd: resolve,
        backoffMs: 50,
      });
      setTimeout(() => reject(new Error("the subscription did not end within 5 s")), 5_000);
    });
    expect(ended).toBeInstanceOf(EdgeApiError);
    expect(ended).toMatchObject({ code: "CONTRACT_NOT_FOUND", status: 404 });
    expect(Date.now() - started).toBeLessThan(5_000);
    // Nothing more after the end: no reconnect, no further check.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(checks).toHaveLength(1);
    expect(errors).toEqual([]);
  }, 15_000);
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `input`, when given, is its standard input. */
function cli(args: string[], input?: Uint8Array): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/edge-contracts.mjs", ...args, "--url", server.origin], {
      stdio: [input ? "pipe" : "ignore", "pipe", "pipe"],
    });
    child.stdin?.end(input);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr?.on("data", (data: Buffer) => (stderr += data.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the CLI", () => {
  it("uploads code, creates an instance, puts a state and resumes a partial state get --out", async () => {
    const upload = await cli(["code", "upload", "build/contracts/accept-all.wasm"]);
    expect(upload).toMatchObject({ code: 0 });
    const codeHash = upload.stdout.trim();
    const created = await cli(["contract", "create", "--code", codeHash]);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();

    const dir = mkdtempSync(join(tmpdir(), "edge-cli-"));
    try {
      const state = bigState(4 << 20);
      writeFileSync(join(dir, "state.bin"), state);
      const put = await cli(["state", "put", id, join(dir, "state.bin"), "--json"]);
      expect(put.code).toBe(0);
      expect(JSON.parse(put.stdout)).toMatchObject({ size: state.length });

      // A download cut off after 1 MiB: get --out continues from there.
      writeFileSync(join(dir, "out.bin"), state.subarray(0, 1 << 20));
      const got = await cli(["state", "get", id, "--out", join(dir, "out.bin"), "--json"]);
      expect(got.code).toBe(0);
      expect(JSON.parse(got.stdout)).toMatchObject({ size: state.length, resumedFrom: 1 << 20 });
      expect(hex(readFileSync(join(dir, "out.bin")))).toBe(hex(state));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('update reads its delta from standard input when the file is "-"', async () => {
    const id = await instanceOf("append-log");
    const put = await client.putState(id, entry("first"));
    const updated = await cli(["update", id, "-", "--json"], entry("piped"));
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ version: put.version + 1, changed: true });
    // append-log's summary: entry count (u64 LE), then byte length.
    const summary = Buffer.from(await client.summary(id));
    expect(summary.readBigUInt64LE(0)).toBe(2n);
    expect(summary.readBigUInt64LE(8)).toBe(BigInt(entry("first").length + entry("piped").length));
  }, 30_000);

  it("exits 2 for a missing instance (watch too, instead of reconnecting)", async () => {
    const missing = await cli(["summary", "11111111111111111111111111111111"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("CONTRACT_NOT_FOUND");
    const watched = await cli(["watch", "11111111111111111111111111111111"]);
    expect(watched.code).toBe(2);
  });

  it("watch --json prints a line for a change made while it runs", async () => {
    const id = await instanceOf("append-log");
    await client.putState(id, entry("first"));
    const child = spawn(
      process.execPath,
      ["bin/edge-contracts.mjs", "watch", id, "--json", "--url", server.origin],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const lines: Array<{ type: string; version: number; size: number }> = [];
      const change = await new Promise<{ type: string; version: number; size: number }>((resolve, reject) => {
        let buffered = "";
        child.stdout.on("data", (data: Buffer) => {
          buffered += data.toString();
          const complete = buffered.split("\n");
          buffered = complete.pop() ?? "";
          for (const line of complete) {
            const parsed = JSON.parse(line) as { type: string; version: number; size: number };
            lines.push(parsed);
            if (lines.length === 1) void client.update(id, entry("second"), "delta").catch(reject);
            else resolve(parsed);
          }
        });
        setTimeout(() => reject(new Error(`no change line within 20 s: ${JSON.stringify(lines)}`)), 20_000);
      });
      expect(lines[0]).toMatchObject({ type: "state", size: entry("first").length });
      expect(change.version).toBe(lines[0]!.version + 1);
    } finally {
      child.kill("SIGTERM");
    }
  }, 30_000);
});
