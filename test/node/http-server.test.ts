// What only a real server shows: the local server (wrangler dev on workerd, as
// `npm start` runs it) answering requests it refuses on their headers without
// waiting for their bodies, and `npm start` itself.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/dev-server.mjs";

const port = 19_000 + Math.floor(Math.random() * 900);
let server: DevServer;
let persist: string;

beforeAll(async () => {
  persist = mkdtempSync(join(tmpdir(), "edge-http-"));
  server = await startDevServer({ port, persistTo: persist, quiet: true });
}, 120_000);

afterAll(() => {
  server?.stop();
  rmSync(persist, { recursive: true, force: true });
});

/**
 * Sends `head`, then `chunk` every 100 ms up to `limit` bytes; resolves with the answer and what was sent by then.
 * (10 MiB/s: a server slowed by a loaded machine still answers well before 64 MiB are out.)
 */
function exchange(
  head: string,
  chunk: Buffer,
  limit: number,
): Promise<{ answer: string; sentBefore: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answer = "";
    let sentBefore = -1;
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(head);
      const timer = setInterval(() => {
        if (sent >= limit || socket.destroyed) return clearInterval(timer);
        socket.write(chunk);
        sent += chunk.length;
      }, 100);
      socket.on("close", () => clearInterval(timer));
    });
    socket.on("error", () => {});
    socket.on("data", (data) => {
      if (sentBefore < 0) sentBefore = sent;
      answer += data.toString("latin1");
      if (/\r\n\r\n[\s\S]*\}\}$/.test(answer)) {
        socket.destroy();
        resolve({ answer, sentBefore });
      }
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer after sending ${sent} bytes: ${answer.slice(0, 200)}`));
    }, 50_000);
  });
}

describe("the local server", () => {
  it("answers a state PUT declaring 300 MB with 413 JSON before the body has arrived", async () => {
    const id = "11111111111111111111111111111111";
    const { answer, sentBefore } = await exchange(
      `PUT /v1/contracts/${id}/state HTTP/1.1\r\nHost: edge\r\nContent-Length: 300000000\r\n\r\n`,
      Buffer.alloc(1 << 20),
      300 << 20,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(answer).toContain('"code":"PAYLOAD_TOO_LARGE"');
    // Refused on the header: at most a few of the 286 MiB had been sent.
    expect(sentBefore).toBeLessThan(64 << 20);
  }, 60_000);
});

describe("npm start", () => {
  it("with API_TOKEN set, seeds with the token and prints commands that carry it, never undefined", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edge-start-"));
    const child = spawn(process.execPath, ["scripts/start.mjs"], {
      env: { ...process.env, PORT: String(port + 1), STATE_DIR: dir, API_TOKEN: "start-token" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr.on("data", (data: Buffer) => (output += data.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`npm start printed no instance:\n${output}`)),
          90_000,
        );
        const poll = setInterval(() => {
          if (/More in README\.md/.test(output)) {
            clearInterval(poll);
            clearTimeout(timer);
            resolve();
          }
        }, 100);
      });
      expect(output).not.toMatch(/undefined/);
      expect(output).toMatch(/example instance {2}[1-9A-HJ-NP-Za-km-z]{40,50}/);
      expect(output).toContain("authorization: Bearer start-token");
    } finally {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
