// The client's public types, spelled out (no import from the app): a caller
// that cannot see the Worker's types (a Node program, the node typecheck) gets
// them whole, and edge-client.ts checks hc<AppType>'s answers against them.
import type { Notification, SubscribeOptions, Subscription } from "./subscription.js";

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
export type Progress = (bytes: number, total: number) => void;
export type Body = Uint8Array | ReadableStream<Uint8Array>;
/** A stream that says its length up front (the state PUT needs Content-Length). */
export type SizedStream = ReadableStream<Uint8Array> & { size: number };

export interface ClientOptions {
  token?: string | undefined;
  fetch?: FetchLike;
}

export interface StateInfo {
  version: number;
  /** SHA-256 of the whole state, base58 (the ETag without quotes); opaque (older versions keep a BLAKE3). */
  hash: string;
  /** The whole state's size, also for a range. */
  size: number;
}

export interface Range {
  start: number;
  /** Exclusive. */
  end?: number;
}

export interface Written {
  version: number;
  hash: string;
  size: number;
  createdAt: number;
  changed: boolean;
  execution: { fuel: number | null };
}

export interface ContractRecord {
  id: string;
  codeHash: string;
  parameters: string;
  createdAt: number;
  namespaces: string[] | null;
  reentrant: boolean;
}

export interface FileEntry {
  path: string;
  name: string;
  kind: "file" | "directory";
  size: number;
  hash: string;
}

export interface FilesListing {
  root: string;
  version: number;
  entry: FileEntry;
  entries?: FileEntry[] | undefined;
}

export interface Lease {
  id: string;
  createdAt: number;
  expiresAt: number;
  status: "active" | "expired" | "revoked";
  arenaSize: number;
}

/** What EdgeClient offers (it implements this). */
export interface EdgeClientApi {
  readonly baseUrl: string;
  uploadCode(code: Body): Promise<{ codeHash: string; size: number }>;
  createContract(input: {
    codeHash: string;
    parameters?: Uint8Array;
  }): Promise<{ id: string; codeHash: string }>;
  describe(id: string): Promise<ContractRecord>;
  putState(
    id: string,
    state: Uint8Array | SizedStream,
    options?: { onProgress?: Progress; ifMatch?: string },
  ): Promise<Written>;
  getState(
    id: string,
    options?: { onProgress?: Progress; range?: Range; ifMatch?: string },
  ): Promise<{ info: StateInfo; body: ReadableStream<Uint8Array> }>;
  downloadState(
    id: string,
    write: (chunk: Uint8Array) => Promise<void> | void,
    options?: { resumeFrom?: number; onProgress?: Progress; retries?: number },
  ): Promise<StateInfo>;
  update(id: string, bytes: Uint8Array, kind?: "delta" | "state"): Promise<Written>;
  summary(id: string): Promise<Uint8Array>;
  delta(id: string, summary: Uint8Array): Promise<Uint8Array>;
  run(id: string, input?: Uint8Array): Promise<Uint8Array>;
  listFiles(id: string, dir?: string): Promise<FilesListing>;
  getFile(id: string, path: string): Promise<Uint8Array>;
  leases(id: string): Promise<{ leases: Lease[] }>;
  subscribe(id: string, options: SubscribeOptions): Subscription;
}

export type { Notification, SubscribeOptions, Subscription };
