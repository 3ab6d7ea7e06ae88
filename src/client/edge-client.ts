// A typed client for the HTTP API (v1). JSON routes go through hono's
// hc<AppType>, so a renamed route or field fails the typecheck; state bodies
// use fetch directly, because they stream with progress and Range requests.
// Runtime-neutral (Node 22, browsers, Workers): only `import type` from the app.
import { base64 } from "@scure/base";
import { hc } from "hono/client";
import type { AppType } from "../app.js";
import { type Answer, apiError, EdgeApiError } from "./api-error.js";
import { collect, counted, owned, sliced } from "./byte-streams.js";
import { subscribe, type SubscribeOptions, type Subscription } from "./subscription.js";
import type {
  Body,
  ClientOptions,
  ContractRecord,
  EdgeClientApi,
  FetchLike,
  FilesListing,
  Lease,
  Progress,
  Range,
  SizedStream,
  StateInfo,
  Written,
} from "./types.js";

/** version, hash and whole size from a state answer's headers. */
function stateInfo(response: Response): StateInfo {
  const range = /\/(\d+)$/.exec(response.headers.get("content-range") ?? "");
  return {
    version: Number(response.headers.get("x-state-version")),
    hash: (response.headers.get("etag") ?? "").replaceAll('"', ""),
    size: Number(range ? range[1] : response.headers.get("content-length")),
  };
}

async function bytesOf(
  response: Answer & { ok: boolean; arrayBuffer(): Promise<ArrayBuffer> },
): Promise<Uint8Array> {
  if (!response.ok) throw await apiError(response);
  return new Uint8Array(await response.arrayBuffer());
}

export class EdgeClient implements EdgeClientApi {
  readonly baseUrl: string;
  readonly #fetch: FetchLike;
  readonly #auth: Record<string, string>;
  readonly #rpc;

  constructor(baseUrl: string, options: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#auth = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.#rpc = hc<AppType>(this.baseUrl, { headers: this.#auth, fetch: this.#fetch });
  }

  get #contract() {
    return this.#rpc.v1.contracts[":id"];
  }

  #raw(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.#auth)) headers.set(name, value);
    return this.#fetch(`${this.baseUrl}${path}`, { ...init, headers });
  }

  async uploadCode(code: Body): Promise<{ codeHash: string; size: number }> {
    const body = owned(code instanceof Uint8Array ? code : await collect(code));
    const response = await this.#rpc.v1.code.$put({}, { init: { body } });
    if (response.status === 200 || response.status === 201) return response.json();
    throw await apiError(response);
  }

  async createContract(input: {
    codeHash: string;
    parameters?: Uint8Array;
  }): Promise<{ id: string; codeHash: string }> {
    const parameters = base64.encode(input.parameters ?? new Uint8Array(0));
    const response = await this.#rpc.v1.contracts.$post({ json: { codeHash: input.codeHash, parameters } });
    if (response.status === 200 || response.status === 201) return response.json();
    throw await apiError(response);
  }

  async describe(id: string): Promise<ContractRecord> {
    const response = await this.#contract.$get({ param: { id } });
    if (response.status === 200) return response.json();
    throw await apiError(response);
  }

  /** Streams a new state with its Content-Length; `onProgress` counts bytes as fetch pulls them. */
  async putState(
    id: string,
    state: Uint8Array | SizedStream,
    options: { onProgress?: Progress; ifMatch?: string } = {},
  ): Promise<Written> {
    const size = state instanceof Uint8Array ? state.length : state.size;
    const source = state instanceof Uint8Array ? sliced(state) : state;
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "content-length": String(size),
    };
    if (options.ifMatch) headers["if-match"] = `"${options.ifMatch.replaceAll('"', "")}"`;
    // `duplex: "half"` is what fetch needs for a stream body (not in every lib's RequestInit).
    const init: RequestInit & { duplex: "half" } = {
      method: "PUT",
      headers,
      body: counted(source, size, options.onProgress),
      duplex: "half",
    };
    const response = await this.#raw(`/v1/contracts/${encodeURIComponent(id)}/state`, init);
    if (!response.ok) throw await apiError(response);
    return (await response.json()) as Written;
  }

  /** The state (or a range of it) as a stream; `onProgress` counts what the caller has read. */
  async getState(
    id: string,
    options: { onProgress?: Progress; range?: Range; ifMatch?: string } = {},
  ): Promise<{ info: StateInfo; body: ReadableStream<Uint8Array> }> {
    const headers: Record<string, string> = {};
    const { range } = options;
    if (range) headers.range = `bytes=${range.start}-${range.end === undefined ? "" : range.end - 1}`;
    const response = await this.#raw(`/v1/contracts/${encodeURIComponent(id)}/state`, { headers });
    if (!response.ok || !response.body) throw await apiError(response);
    const info = stateInfo(response);
    if (options.ifMatch && options.ifMatch.replaceAll('"', "") !== info.hash) {
      await response.body.cancel();
      throw new EdgeApiError("PRECONDITION_FAILED", 412, `the state changed (now version ${info.version})`);
    }
    const start = response.status === 206 ? (range?.start ?? 0) : 0;
    return { info, body: counted(response.body, info.size, options.onProgress, start) };
  }

  /**
   * Writes the state to `write`, chunk by chunk, from `resumeFrom` on (Range requests): a download
   * cut off mid-way, or a request that got no answer, continues where it stopped, up to `retries`
   * times in all, as long as the state's version is the one it started with.
   */
  async downloadState(
    id: string,
    write: (chunk: Uint8Array) => Promise<void> | void,
    options: { resumeFrom?: number; onProgress?: Progress; retries?: number } = {},
  ): Promise<StateInfo> {
    let offset = options.resumeFrom ?? 0;
    let hash: string | undefined;
    let failures = 0;
    for (;;) {
      let info: StateInfo;
      let body: ReadableStream<Uint8Array>;
      try {
        ({ info, body } = await this.getState(id, {
          ...(offset > 0 ? { range: { start: offset } } : {}),
          ...(hash ? { ifMatch: hash } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        }));
      } catch (error) {
        // Asked for past the end: the bytes were all there already.
        if (error instanceof EdgeApiError && error.code === "RANGE_NOT_SATISFIABLE" && offset > 0) {
          const head = await this.#raw(`/v1/contracts/${encodeURIComponent(id)}/state`, { method: "HEAD" });
          if (head.ok && Number(head.headers.get("content-length")) === offset) return stateInfo(head);
        }
        // A request that got no answer (a reset, or a kept-alive connection the server had just
        // closed) is retried like a cut body: only an answer from the server is final.
        if (!(error instanceof EdgeApiError) && ++failures <= (options.retries ?? 5)) continue;
        throw error;
      }
      hash = info.hash;
      const reader = body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return info;
          await write(value);
          offset += value.length;
        }
      } catch (error) {
        if (error instanceof EdgeApiError || ++failures > (options.retries ?? 5)) throw error;
      }
    }
  }

  async update(id: string, bytes: Uint8Array, kind: "delta" | "state" = "delta"): Promise<Written> {
    const response = await this.#contract.updates.$post(
      { param: { id }, query: { kind }, header: {} },
      { init: { body: owned(bytes) } },
    );
    if (response.status === 200) return response.json();
    throw await apiError(response);
  }

  async summary(id: string): Promise<Uint8Array> {
    return bytesOf(await this.#contract.summary.$get({ param: { id }, header: {} }));
  }

  async delta(id: string, summary: Uint8Array): Promise<Uint8Array> {
    return bytesOf(
      await this.#raw(`/v1/contracts/${encodeURIComponent(id)}/delta`, {
        method: "POST",
        body: owned(summary),
      }),
    );
  }

  async run(id: string, input: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    return bytesOf(
      await this.#raw(`/v1/contracts/${encodeURIComponent(id)}/run`, { method: "POST", body: owned(input) }),
    );
  }

  /** A component's directory listing (`dir` "" is the root). */
  async listFiles(id: string, dir = ""): Promise<FilesListing> {
    const response = await this.#contract.files.$get({ param: { id }, query: { dir } });
    if (response.status === 200) return response.json();
    throw await apiError(response);
  }

  async getFile(id: string, path: string): Promise<Uint8Array> {
    const segments = path.split("/").filter(Boolean).map(encodeURIComponent).join("/");
    return bytesOf(await this.#raw(`/v1/contracts/${encodeURIComponent(id)}/files/${segments}`));
  }

  async leases(id: string): Promise<{ leases: Lease[] }> {
    const response = await this.#contract.leases.$get({ param: { id } });
    if (response.status === 200) return response.json();
    throw await apiError(response);
  }

  /**
   * Live state changes (README "Subscriptions"): acknowledged, and resumed after a disconnect;
   * a missing instance ends it (`onEnd`), checked with `describe` so the token and fetch apply.
   */
  subscribe(id: string, options: SubscribeOptions): Subscription {
    return subscribe(`${this.baseUrl}/v1/contracts/${encodeURIComponent(id)}/subscribe`, {
      check: async () => {
        await this.describe(id);
      },
      ...options,
    });
  }
}
