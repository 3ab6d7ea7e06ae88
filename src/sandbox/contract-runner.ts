// Runs one freenet-stdlib contract export on a fresh instance (the guest leaks
// every buffer and result, so instances are never reused; the compiled module
// is). Inputs stream in through InputBuffers; the result record is decoded
// from guest memory with every pointer bounds-checked.
import { EdgeError } from "../errors.js";
import { WASM_PAGE_BYTES } from "../limits.js";
import { FREENET_IO } from "../namespaces/host-namespace.js";
import { GuestMemory, fault, toPointer } from "../guest-abi/guest-memory.js";
import { bytesInput, type InputSource } from "../guest-abi/input-source.js";
import {
  decodeBytes,
  decodeResult,
  decodeUpdateModification,
  decodeValidateResult,
  type BincodeReader,
  type BincodeResult,
  type UpdateModification,
  type ValidateResult,
} from "../protocol/freenet-bincode.js";
import { freenetImports } from "../guest-abi/freenet/freenet-imports.js";
import { InputBuffers, type BufferExports } from "../guest-abi/freenet/input-buffers.js";
import { FrameTable, type FrameWrite } from "../guest-abi/edge-storage/frame-table.js";
import { PageTable } from "../guest-abi/edge-storage/mapping-table.js";
import { storageImports, writeBackAll } from "../guest-abi/edge-storage/storage-imports.js";
import { fbmuImports } from "../guest-abi/fbmu/fbmu-imports.js";
import type { LeasePort } from "../protocol/lease-port.js";
import { FuelMeter, UNMETERED, type FuelOptions } from "../metering/fuel-meter.js";
import { LogBudget } from "../guest-abi/log-budget.js";
import { FUEL_EXPORT, METER_MODULE, REFUEL_IMPORT, START_EXPORT } from "../metering/metering-abi.js";

export type FreenetOp = "validate_state" | "update_state" | "summarize_state" | "get_state_delta";
/** A contract operation: a Freenet export, or the generic `run(input) -> record` entry. */
export type ContractOp = FreenetOp | "run";

// The generic entry's record kinds (after Freenet's 0..4).
const RUN_OK = 5;
const RUN_ERROR = 6;

// ResultKind (contract_interface/wasm_interface.rs).
const RESULT_KIND: Record<FreenetOp, number> = {
  validate_state: 0,
  update_state: 2,
  summarize_state: 3,
  get_state_delta: 4,
};
// ContractInterfaceResult { ptr: i64, kind: i32, size: u32 }, repr(C).
const RECORD_BYTES = 16;

export type FreenetCall =
  | {
      op: FreenetOp;
      parameters: Uint8Array;
      state: InputSource;
      /** validate_state: bincode RelatedContracts; update_state: bincode Vec<UpdateData>; get_state_delta: summary. */
      third?: Uint8Array;
    }
  | { op: "run"; input: InputSource };

export interface RunOptions {
  /** Suspend the guest on refills (JSPI) instead of requiring synchronous inputs. */
  jspi: boolean;
  memoryLimitBytes: number;
  log?: (message: string) => void;
  now?: () => Date;
  /** The instance's linear storage for this call (edge_storage); absent: a zero-byte space, every access refused. */
  storage?: { frames: FrameTable; limitBytes: number };
  /** The instance's fabric memory (fbmu); absent: every fbmu call answers DISCONNECTED. */
  leases?: LeasePort;
  /** Fuel for a metered module (see src/metering); absent: the module must be unmetered. */
  fuel?: FuelOptions;
}

export type FreenetValue =
  | { op: "validate_state"; result: BincodeResult<ValidateResult> }
  | { op: "update_state"; result: BincodeResult<UpdateModification> }
  | { op: "summarize_state" | "get_state_delta"; result: BincodeResult<Uint8Array> }
  | { op: "run"; result: { ok: true; value: Uint8Array } | { ok: false; message: string } };

export interface FreenetOutcome {
  value: FreenetValue;
  memory: GuestMemory;
  /** Guest memory size before the inputs were placed, for memory accounting. */
  baselineBytes: number;
  /** Storage frames the call changed (mappings written back), and the new logical size. */
  storage: { writes: FrameWrite[]; size: number } | null;
  /** Fuel the call used; null for an unmetered module. */
  fuel: number | null;
}

interface ContractExports extends BufferExports {
  memory: WebAssembly.Memory;
  __frnt_set_id?: (id: bigint) => void;
  [name: string]: unknown;
}

let nextInstanceId = 0n;

export function usesStreaming(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((entry) => entry.module === FREENET_IO);
}

export async function runFreenet(
  module: WebAssembly.Module,
  call: FreenetCall,
  options: RunOptions,
): Promise<FreenetOutcome> {
  let memory: GuestMemory | undefined;
  let inputs: InputBuffers | undefined;
  const meter = options.fuel ? new FuelMeter(options.fuel) : undefined;
  const logs = new LogBudget(options.log ?? (() => {}));
  const hostMeter = meter ?? UNMETERED;
  const guestMemory = () => memory ?? fail("memory used before instantiation");
  const host = freenetImports({
    memory: guestMemory,
    inputs: () => inputs ?? fail("inputs used before instantiation"),
    log: (line) => logs.line(line),
    now: options.now ?? (() => new Date()),
    jspi: options.jspi,
    meter: hostMeter,
  });
  const pages = new PageTable();
  const storage = {
    memory: guestMemory,
    frames: options.storage?.frames ?? new FrameTable({ read: () => fail("no storage for this call") }, 0, 0),
    pages,
    limitBytes: options.storage?.limitBytes ?? 0,
    jspi: options.jspi,
    meter: hostMeter,
  };
  const refuel = () => (meter ?? fail("an unmetered call asked for fuel")).refuel();
  const imports = {
    ...host,
    edge_storage: storageImports(storage),
    fbmu: fbmuImports({ memory: guestMemory, leases: options.leases, jspi: options.jspi, meter: hostMeter }),
    [METER_MODULE]: {
      [REFUEL_IMPORT]: options.jspi ? (new WebAssembly.Suspending(refuel) as never) : refuel,
    },
  };
  const exports = trapping(
    () => new WebAssembly.Instance(module, imports).exports,
  ) as unknown as ContractExports;
  if (!(exports.memory instanceof WebAssembly.Memory))
    throw new EdgeError("CONTRACT_ABI", "the contract exports no memory");
  memory = new GuestMemory(exports.memory, options.memoryLimitBytes);
  const guest = memory;
  // Every guest entry goes through here: the depth counter starts full, and under
  // JSPI the guest runs suspendable (refills, storage, fuel pauses).
  const enter = async <A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<R> => {
    meter?.enter(options.jspi);
    if (!options.jspi) return fn(...args);
    return (await (WebAssembly.promising(fn as never) as unknown as (...args: A) => Promise<R>)(
      ...args,
    )) as R;
  };
  inputs = new InputBuffers(
    memory,
    {
      __frnt__initiate_buffer: (capacity) =>
        enter(exports.__frnt__initiate_buffer as (n: number) => bigint, capacity),
    },
    usesStreaming(module),
  );
  const entry = exports[call.op];
  if (typeof entry !== "function")
    throw new EdgeError("CONTRACT_ABI", `the contract does not export ${call.op}`);

  try {
    if (meter) meter.attach(exports as unknown as WebAssembly.Exports);
    else if (options.fuel === undefined && FUEL_EXPORT in exports)
      fail("a metered module needs a fuel budget");
    const start = exports[START_EXPORT];
    if (typeof start === "function") await enter(start as () => void);
    guest.checkLimit();
    if (exports.__frnt_set_id) await enter(exports.__frnt_set_id, nextInstanceId++);
    const baselineBytes = guest.size;
    const args =
      call.op === "run"
        ? [await inputs.place(call.input)]
        : [
            await inputs.place(bytesInput(call.parameters)),
            await inputs.place(call.state),
            ...(call.third === undefined ? [] : [await inputs.place(bytesInput(call.third))]),
          ];
    const returned = await enter(entry as (...args: bigint[]) => bigint, ...args);
    guest.checkLimit();
    const value = decodeRecord(guest, call.op, returned);
    writeBackAll(storage);
    const changed = options.storage ? { writes: storage.frames.dirty(), size: storage.frames.size } : null;
    return { value, memory: guest, baselineBytes, storage: changed, fuel: meter ? meter.used : null };
  } catch (error) {
    throw withFuel(classify(error, guest, meter), meter);
  } finally {
    logs.finish();
  }
}

function decodeRecord(memory: GuestMemory, op: ContractOp, returned: bigint): FreenetValue {
  const record = toPointer(returned, `${op} result`);
  memory.view(record, RECORD_BYTES, "result record");
  const ptr = memory.pointer64(record, "result record ptr");
  const kind = memory.i32(record + 8, "result record kind");
  const size = memory.u32(record + 12, "result record size");
  const bytes = memory.view(ptr, size, "result bytes");
  if (op === "run") {
    if (kind === RUN_OK) return { op, result: { ok: true, value: bytes } };
    if (kind === RUN_ERROR) return { op, result: { ok: false, message: new TextDecoder().decode(bytes) } };
    throw fault(`run returned result kind ${kind} (expected ${RUN_OK} or ${RUN_ERROR})`);
  }
  const expect = <T>(decode: (reader: BincodeReader) => T): BincodeResult<T> => {
    const result = decodeResult(bytes, decode);
    // Guests tag their own input-decoding errors with another kind; an Err reads the same.
    if (result.ok && kind !== RESULT_KIND[op]) throw fault(`${op} returned result kind ${kind}`);
    return result;
  };
  switch (op) {
    case "validate_state":
      return { op, result: expect(decodeValidateResult) };
    case "update_state":
      return { op, result: expect(decodeUpdateModification) };
    case "summarize_state":
    case "get_state_delta":
      return { op, result: expect(decodeBytes) };
  }
}

/** A trap of the guest itself (not an error the host raised). */
function isTrap(error: unknown): boolean {
  return error instanceof WebAssembly.RuntimeError;
}

/** V8's own stack limit (hit before our depth counter only by very large frames); it has no error code. */
function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function trapping<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw classify(error, undefined);
  }
}

/** Execution errors say how much fuel the call had used. */
function withFuel(error: EdgeError, meter: FuelMeter | undefined): EdgeError {
  if (!meter) return error;
  return new EdgeError(error.code, error.message, {
    cause: error.cause,
    details: { ...error.details, fuel: meter.used },
  });
}

/**
 * Maps whatever the guest did to a stable code. Running out of fuel or stack
 * wins over its symptoms (the trap it caused), and so does running out of memory.
 */
function classify(error: unknown, memory: GuestMemory | undefined, meter?: FuelMeter): EdgeError {
  if (meter?.exhausted) return meter.outOfFuelError();
  if (meter?.stackExhausted || isStackOverflow(error)) {
    return (
      meter?.stackError() ?? new EdgeError("CONTRACT_STACK_EXHAUSTED", "the contract overflowed its stack")
    );
  }
  const refusedPages = meter?.growRefusedPages ?? 0;
  if (memory && refusedPages > 0 && isTrap(error)) return memory.limitError(refusedPages * WASM_PAGE_BYTES);
  if (memory?.atLimit() && !(error instanceof EdgeError && error.code === "CONTRACT_REJECTED")) {
    return memory.limitError();
  }
  if (error instanceof EdgeError) return error;
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  if (name === "RuntimeError" || name === "RangeError" || name === "SuspendError") {
    return new EdgeError("CONTRACT_TRAP", `the contract trapped: ${message}`, { cause: error });
  }
  if (name === "LinkError" || name === "CompileError") {
    return new EdgeError("CONTRACT_ABI", `the contract cannot be instantiated: ${message}`, { cause: error });
  }
  return new EdgeError("INTERNAL", `contract execution failed: ${message}`, { cause: error });
}

function fail(message: string): never {
  throw new EdgeError("INTERNAL", message);
}
