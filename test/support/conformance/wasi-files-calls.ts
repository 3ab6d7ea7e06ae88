// Driving the WASI host of src/guest-abi/wasi as jco's glue would, without a
// guest: one `call` binds it to a store's port, hands the body the preopens,
// and commits what the call changed (or drops it). Every method is awaited
// (node has no JSPI: the host's Promises are plain async JS here).
import { expect } from "vitest";
import { concat } from "../bytes.js";
import type { Descriptor } from "../../../src/guest-abi/wasi/descriptor.js";
import type { InputStream, OutputStream } from "../../../src/guest-abi/wasi/streams.js";
import { bindWasi, type WasiBinding } from "../../../src/guest-abi/wasi/wasi-imports.js";
import { UNMETERED } from "../../../src/metering/fuel-meter.js";
import type { FilesChanges } from "../../../src/protocol/files-port.js";
import type { WasiFilesStore } from "./wasi-files-host.js";

export interface CallContext {
  root: Descriptor;
  params: Descriptor;
  wasi: WasiBinding;
}

export interface CallOptions {
  /** false: the call fails after the body (its changes are dropped). */
  commit?: boolean;
  atMs?: number;
  parameters?: Uint8Array;
  fuelUsed?: () => number;
}

export const RW = { read: true, write: true } as const;
export const CREATE = { create: true } as const;

export async function call<T>(
  store: WasiFilesStore,
  body: (ctx: CallContext) => Promise<T>,
  options: CallOptions = {},
): Promise<{ result: T; changes: FilesChanges | undefined }> {
  const port = store.port({ parameters: options.parameters ?? new Uint8Array(0) });
  const wasi = bindWasi(port, { meter: UNMETERED, fuelUsed: options.fuelUsed ?? (() => 0) });
  const preopens = (
    wasi.imports["wasi:filesystem/preopens"]!.getDirectories as () => Array<[Descriptor, string]>
  )();
  const [root, params] = preopens.map(([descriptor]) => descriptor);
  if (!root || !params) throw new Error("two preopens expected");
  const result = await body({ root, params, wasi });
  const changes = await wasi.finish();
  if (options.commit === false) store.discard();
  else if (changes) store.commit(changes, options.atMs ?? 1_000);
  return { result, changes };
}

/** The error an operation answers: a WASI code string, a stream error tag, or "ok". */
export async function codeOf(operation: () => unknown): Promise<string> {
  try {
    await operation();
    return "ok";
  } catch (error) {
    if (typeof error === "string") return error;
    if (error && typeof error === "object" && "tag" in error) return String(error.tag);
    throw error;
  }
}

export async function expectCode(operation: () => unknown, code: string): Promise<void> {
  expect(await codeOf(operation)).toBe(code);
}

export async function open(dir: Descriptor, path: string, create = false): Promise<Descriptor> {
  return dir.openAt({}, path, create ? CREATE : {}, RW);
}

export async function writeAll(stream: OutputStream, bytes: Uint8Array, chunk = 4096): Promise<void> {
  for (let at = 0; at < bytes.length; at += chunk) {
    await stream.blockingWriteAndFlush(bytes.subarray(at, at + chunk));
  }
}

/** Reads a stream to its end (`{ tag: "closed" }`). */
export async function readAll(stream: InputStream, chunk = 65_536): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (;;) {
    try {
      parts.push(await stream.blockingRead(BigInt(chunk)));
    } catch (error) {
      if (error && typeof error === "object" && "tag" in error && error.tag === "closed") break;
      throw error;
    }
  }
  return concat(...parts);
}

export async function writeFile(dir: Descriptor, path: string, bytes: Uint8Array): Promise<Descriptor> {
  const file = await dir.openAt({}, path, { create: true, truncate: true }, RW);
  await writeAll(file.writeViaStream(0n), bytes);
  return file;
}

export async function readFile(dir: Descriptor, path: string): Promise<Uint8Array> {
  const file = await dir.openAt({}, path, {}, { read: true });
  return readAll(file.readViaStream(0n));
}

export async function names(dir: Descriptor): Promise<string[]> {
  const stream = await dir.readDirectory();
  const out: string[] = [];
  for (let entry = stream.readDirectoryEntry(); entry; entry = stream.readDirectoryEntry())
    out.push(entry.name);
  return out;
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const utf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Deterministic bytes: `length` bytes of a simple sequence, different per seed. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
