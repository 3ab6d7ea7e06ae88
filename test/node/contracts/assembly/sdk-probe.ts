// Test entry for test/node/contracts/sdk.test.ts: thin exports over the guest
// SDK so the host can check its wire output byte for byte and drive the
// stream and decoder primitives directly. Compiled by the test, not the build.
import {
  BytesResult,
  InputStream,
  Output,
  Part,
  RelatedContractsReader,
  ResultKind,
  UpdateDataReader,
  deltaResult,
  deserError,
  invalidDeltaError,
  invalidResult,
  invalidStateError,
  invalidUpdateError,
  invalidUpdateWithInfoError,
  newStateResult,
  noNewStateResult,
  otherError,
  requestRelatedResult,
  summaryResult,
  validResult,
} from "../../../../contracts/sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../../contracts/sdk/assembly/index";

const ABC = memory.data<u8>([0x61, 0x62, 0x63]);
const ID11 = memory.data<u8>([
  0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
  0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
]);

/** One canned result per case number; the test compares the bytes with real bincode output. */
export function probe_result(which: i32): i64 {
  switch (which) {
    case 0: return validResult();
    case 1: return invalidResult();
    case 2: return requestRelatedResult(ID11, 1);
    case 3: return invalidUpdateError(ResultKind.UpdateState);
    case 4: return deserError(ResultKind.ValidateState, "x");
    case 5: return invalidUpdateWithInfoError(ResultKind.UpdateState, "r");
    case 6: return invalidStateError(ResultKind.SummarizeState);
    case 7: return invalidDeltaError(ResultKind.StateDelta);
    case 8: return otherError(ResultKind.StateDelta, "oops");
    case 9: return newStateResult(ABC, 3);
    case 10: return noNewStateResult();
    case 11: return summaryResult(ABC, 2);
    case 12: return deltaResult(ABC, 0);
    case 13: {
      const r = BytesResult.newState(1);
      r.out.raw(ABC, 3).raw(ABC, 3);
      r.truncatePayload(3);
      return r.finish();
    }
    case 14: return otherError(ResultKind.StateDelta, "é€");
    default: return 0;
  }
}

/**
 * summarize_state as a stream script: each parameter byte is an op on the
 * state stream (1/4/8: readU8/readU32/readU64, 2: skip(u32), 3: read(u32 max)),
 * and the summary lists what each op got, then ok, truncated, position, remaining.
 */
export function summarize_state(parameters: i64, state: i64): i64 {
  const script = new InputStream(parameters);
  const stream = new InputStream(state);
  const out = new Output();
  const sink = heap.alloc(1 << 20);
  while (script.remaining() > 0) {
    const op = script.readU8();
    if (op == 1) out.u64(<u64>stream.readU8());
    else if (op == 4) out.u64(<u64>stream.readU32());
    else if (op == 8) out.u64(stream.readU64());
    else if (op == 2) out.u64(stream.skip(script.readU32()) ? 1 : 0);
    else if (op == 3) {
      const n = stream.read(sink, min<u32>(script.readU32(), 1 << 20));
      out.u64(<u64>n).raw(sink, min<u32>(n, 4));
    }
  }
  out.u8(stream.ok ? 1 : 0).u8(stream.truncated ? 1 : 0).u32(stream.position).u32(stream.remaining());
  return summaryResult(out.ptr, out.len);
}

/**
 * update_state echoing the decoded Vec<UpdateData> as the new state: per item
 * the kind, the related id if any, and per part [part u8][length u32] plus
 * the whole state or the first 3 delta bytes (the rest is left to auto-skip).
 */
export function update_state(parameters: i64, state: i64, data: i64): i64 {
  const updates = new UpdateDataReader(new InputStream(data));
  const out = new Output();
  const stream = updates.stream;
  while (updates.next()) {
    out.u8(<u8>updates.kind);
    if (updates.kind >= 3) out.raw(updates.relatedTo, 32);
    let part: Part;
    while ((part = updates.nextPart()) != Part.None) {
      out.u8(<u8>part).u32(updates.partLength);
      const take = part == Part.State ? updates.partLength : min<u32>(updates.partLength, 3);
      out.pipe(stream, take);
    }
  }
  if (updates.error !== null) return deserError(ResultKind.UpdateState, updates.error!);
  return newStateResult(out.ptr, out.len);
}

/** validate_state answering RequestRelated with the ids of related entries that came without a state. */
export function validate_state(parameters: i64, state: i64, related: i64): i64 {
  const reader = new RelatedContractsReader(new InputStream(related));
  const ids = new Output();
  while (reader.next()) {
    if (!reader.hasState) ids.raw(reader.id, 32);
  }
  if (reader.error !== null) return deserError(ResultKind.ValidateState, reader.error!);
  return requestRelatedResult(ids.ptr, ids.len / 32);
}
