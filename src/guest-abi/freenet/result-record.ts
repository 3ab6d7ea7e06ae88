// The record a contract export returns (freenet-stdlib's
// ContractInterfaceResult), decoded from guest memory with every pointer
// bounds-checked.
import type { ContractOp, FreenetOp } from "../../protocol/sandbox-call.js";
import {
  decodeBytes,
  decodeResult,
  decodeUpdateModification,
  decodeValidateResult,
  type BincodeReader,
  type BincodeResult,
  type UpdateModification,
  type ValidateResult,
} from "../../protocol/freenet-bincode.js";
import { fault, toPointer, type GuestMemory } from "../guest-memory.js";

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

export type FreenetValue =
  | { op: "validate_state"; result: BincodeResult<ValidateResult> }
  | { op: "update_state"; result: BincodeResult<UpdateModification> }
  | { op: "summarize_state" | "get_state_delta"; result: BincodeResult<Uint8Array> }
  | { op: "run"; result: { ok: true; value: Uint8Array } | { ok: false; message: string } };

export function decodeRecord(memory: GuestMemory, op: ContractOp, returned: bigint): FreenetValue {
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
