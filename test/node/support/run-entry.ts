// Runs a contract's generic `run(input) -> record` entry on a fresh instance
// for the in-memory test hosts: the input goes in through real Freenet
// streaming buffers, the record is read with bounds checks.
import { InputBuffers } from "../../../src/guest-abi/freenet/input-buffers.js";
import { GuestMemory, toPointer } from "../../../src/guest-abi/guest-memory.js";
import { bytesInput } from "../../../src/guest-abi/input-source.js";

const RUN_OK = 5;
const RUN_ERROR = 6;

export type EntryOutcome =
  | { kind: "ok"; body: Uint8Array }
  | { kind: "error"; message: string }
  | { kind: "trap"; error: WebAssembly.RuntimeError };

export interface EntryHooks {
  /** The guest's memory, before anything runs (host imports close over it). */
  bind(memory: GuestMemory): void;
  /** After a normal return, before the record is read (write-back at return). */
  atReturn?(): void;
}

export async function runEntry(
  module: WebAssembly.Module,
  imports: WebAssembly.Imports,
  body: Uint8Array,
  memoryLimitBytes: number,
  hooks: EntryHooks,
): Promise<EntryOutcome> {
  let buffers: InputBuffers | undefined;
  const freenet_contract_io = { __frnt__fill_buffer: (_id: bigint, ptr: bigint) => buffers!.fill(ptr) };
  const instance = new WebAssembly.Instance(module, { ...imports, freenet_contract_io });
  const exports = instance.exports as unknown as {
    memory: WebAssembly.Memory;
    __frnt__initiate_buffer(capacity: number): bigint;
    __frnt_set_id?(id: bigint): void;
    run(input: bigint): bigint;
  };
  const memory = new GuestMemory(exports.memory, memoryLimitBytes);
  hooks.bind(memory);
  buffers = new InputBuffers(memory, exports, true);
  exports.__frnt_set_id?.(1n);
  const input = await buffers.place(bytesInput(body));
  let result: bigint;
  try {
    result = exports.run(input);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) return { kind: "trap", error };
    throw error;
  }
  hooks.atReturn?.();
  const record = toPointer(result, "run result");
  const ptr = memory.pointer64(record, "record.ptr");
  const kind = memory.i32(record + 8, "record.kind");
  const bytes = memory.read(ptr, memory.u32(record + 12, "record.size"), "record bytes");
  if (kind === RUN_ERROR) return { kind: "error", message: new TextDecoder().decode(bytes) };
  if (kind !== RUN_OK) throw new Error(`run returned record kind ${kind}`);
  return { kind: "ok", body: bytes };
}
