// The typed client and the CLI against a real local server (wrangler dev on
// workerd, as `npm start` runs it): streamed state both ways with progress, a
// resumed download, the error class and a live subscription.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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
});
