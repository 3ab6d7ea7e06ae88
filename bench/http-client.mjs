// Streaming HTTP helpers for the benchmarks: bodies are generated and consumed
// chunk by chunk, so the client never holds a whole state either.
import { readFileSync } from "node:fs";
import http from "node:http";

const CHUNK = 64 * 1024;
const pattern = Buffer.alloc(1024 * 1024 + CHUNK);
for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 2654435761) >>> 24;

/**
 * PUTs `size` bytes with Content-Length; `bodyOf(offset, length)` supplies them
 * (default: a fixed pseudo-random pattern). Resolves to [status, body text].
 */
export function putStream(url, size, seed = 0, bodyOf = undefined, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: "PUT",
      headers: { "content-length": String(size), "content-type": "application/octet-stream", ...headers },
    });
    request.on("error", reject);
    request.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () => resolve([response.statusCode, text]));
    });
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const length = Math.min(CHUNK, size - sent);
        const offset = ((sent / CHUNK + seed) % 16) * CHUNK;
        const piece = bodyOf ? bodyOf(sent, length) : pattern.subarray(offset, offset + length);
        sent += length;
        if (!request.write(piece)) {
          request.once("drain", pump);
          return;
        }
      }
      request.end();
    };
    pump();
  });
}

/** GETs a URL, counting the bytes streamed back; resolves to [status, bytes]. */
export function getCount(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let bytes = 0;
        response.on("data", (chunk) => (bytes += chunk.length));
        response.on("end", () => resolve([response.statusCode, bytes]));
        response.on("error", reject);
      })
      .on("error", reject);
  });
}

export async function timed(fn) {
  const started = performance.now();
  const result = await fn();
  return { ms: performance.now() - started, result };
}

/** Uploads `wasm` and creates an instance of it with `parameters` (text or bytes); answers its id. */
/** A fresh instance of the contract the build compiled to build/contracts/<name>.wasm. */
export function createBuilt(json, name) {
  return createInstance(
    json,
    readFileSync(`build/contracts/${name}.wasm`),
    `bench-${name}-${Date.now()}-${Math.random()}`,
  );
}

export async function createInstance(json, wasm, parameters, headers = {}) {
  const { codeHash } = await json("/v1/code", { method: "PUT", body: wasm });
  const { id } = await json("/v1/contracts", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ codeHash, parameters: Buffer.from(parameters).toString("base64") }),
  });
  return id;
}
