// Builders for what the four exports return: a ContractInterfaceResult whose
// bytes are bincode `Result<T, ContractError>` (Ok = 0, Err = 1, u32 tags).
import { Output } from "./output";

/** ResultKind (contract_interface/wasm_interface.rs): which T the host decodes. */
export const enum ResultKind {
  ValidateState = 0,
  ValidateDelta = 1,
  UpdateState = 2,
  SummarizeState = 3,
  StateDelta = 4,
}

// ValidateResult variants.
const VALID: u32 = 0;
const INVALID: u32 = 1;
const REQUEST_RELATED: u32 = 2;

// ContractError variants, in declaration order (error.rs).
const DESER: u32 = 0;
const INVALID_UPDATE: u32 = 1;
const INVALID_UPDATE_WITH_INFO: u32 = 2;
const INVALID_STATE: u32 = 3;
const INVALID_DELTA: u32 = 4;
const OTHER: u32 = 5;

const OK: u32 = 0;
const ERR: u32 = 1;

/** ContractInstanceId: 32 raw bytes, no length prefix. */
export const CONTRACT_ID_BYTES: u32 = 32;

function ok(capacity: u32): Output {
  return new Output(capacity).u32(OK);
}

// --- validate_state -> ValidateResult ---

export function validResult(): i64 {
  return ok(8).u32(VALID).finish(ResultKind.ValidateState);
}

export function invalidResult(): i64 {
  return ok(8).u32(INVALID).finish(ResultKind.ValidateState);
}

/** RequestRelated(ids): `count` contract ids of 32 bytes each, back to back at `ids`. */
export function requestRelatedResult(ids: usize, count: u32): i64 {
  const out = ok(16 + count * CONTRACT_ID_BYTES).u32(REQUEST_RELATED).u64(<u64>count);
  return out.raw(ids, count * CONTRACT_ID_BYTES).finish(ResultKind.ValidateState);
}

// --- update_state -> UpdateModification { new_state: Option<State>, related: Vec<RelatedContract> } ---

export function newStateResult(state: usize, len: u32): i64 {
  const out = ok(24 + len).u8(1).bytes(state, len);
  return out.u64(0).finish(ResultKind.UpdateState);
}

/** new_state: None, related: [] */
export function noNewStateResult(): i64 {
  return ok(16).u8(0).u64(0).finish(ResultKind.UpdateState);
}

// --- summarize_state -> StateSummary, get_state_delta -> StateDelta (both newtypes over bytes) ---

export function summaryResult(summary: usize, len: u32): i64 {
  return ok(12 + len).bytes(summary, len).finish(ResultKind.SummarizeState);
}

export function deltaResult(delta: usize, len: u32): i64 {
  return ok(12 + len).bytes(delta, len).finish(ResultKind.StateDelta);
}

/**
 * An Ok result whose byte payload (new state, summary or delta) is written
 * piece by piece into `out`, e.g. piped straight from an input stream, so
 * it is never held twice.
 */
export class BytesResult {
  readonly out: Output;
  private readonly kind: i32;
  private readonly mark: u32;

  private constructor(kind: i32, capacity: u32) {
    this.kind = kind;
    const out = ok(capacity + 24);
    if (kind == ResultKind.UpdateState) out.u8(1); // Some(state)
    this.out = out;
    this.mark = out.beginBytes();
  }

  static newState(capacity: u32 = 64): BytesResult {
    return new BytesResult(ResultKind.UpdateState, capacity);
  }

  static summary(capacity: u32 = 64): BytesResult {
    return new BytesResult(ResultKind.SummarizeState, capacity);
  }

  static delta(capacity: u32 = 64): BytesResult {
    return new BytesResult(ResultKind.StateDelta, capacity);
  }

  /** Payload bytes written so far. */
  length(): u32 {
    return this.out.len - this.mark - 8;
  }

  /** Offset in `out` where the payload starts. */
  payloadStart(): u32 {
    return this.mark + 8;
  }

  /** Discards payload bytes past `len`. */
  truncatePayload(len: u32): void {
    this.out.truncate(this.payloadStart() + len);
  }

  finish(): i64 {
    this.out.endBytes(this.mark);
    if (this.kind == ResultKind.UpdateState) this.out.u64(0); // related: []
    return this.out.finish(this.kind);
  }
}

// --- Err(ContractError): encoded the same whatever T is; `kind` is the export's ResultKind ---

function err(variant: u32, capacity: u32): Output {
  return new Output(capacity).u32(ERR).u32(variant);
}

export function deserError(kind: ResultKind, message: string): i64 {
  return err(DESER, 64).str(message).finish(kind);
}

export function invalidUpdateError(kind: ResultKind): i64 {
  return err(INVALID_UPDATE, 8).finish(kind);
}

export function invalidUpdateWithInfoError(kind: ResultKind, reason: string): i64 {
  return err(INVALID_UPDATE_WITH_INFO, 64).str(reason).finish(kind);
}

export function invalidStateError(kind: ResultKind): i64 {
  return err(INVALID_STATE, 8).finish(kind);
}

export function invalidDeltaError(kind: ResultKind): i64 {
  return err(INVALID_DELTA, 8).finish(kind);
}

export function otherError(kind: ResultKind, message: string): i64 {
  return err(OTHER, 64).str(message).finish(kind);
}
