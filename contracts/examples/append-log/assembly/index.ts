// An append-only log: the state is a run of `[u32 LE len][len bytes]`
// entries; updates only ever append. See ../README.md.
import {
  BytesResult,
  InputStream,
  Part,
  RelatedContractsReader,
  ResultKind,
  UpdateDataReader,
  UpdateKind,
  deserError,
  invalidDeltaError,
  invalidResult,
  invalidStateError,
  invalidUpdateError,
  invalidUpdateWithInfoError,
  otherError,
  summaryResult,
  validResult,
} from "../../../sdk/assembly/index";
import { Walk, streamEquals, walkEntries, walkedEntries } from "./log";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../sdk/assembly/index";

const SUMMARY_BYTES: u32 = 16;
const SUMMARY: usize = memory.data(16, 8);

export function validate_state(parameters: i64, state: i64, related: i64): i64 {
  const K = ResultKind.ValidateState;
  const log = new InputStream(state);
  const walk = walkEntries(log, log.total, null);
  if (walk == Walk.Truncated) return otherError(K, "state truncated by the host");
  if (walk == Walk.Malformed) return invalidResult();
  const relatedContracts = new RelatedContractsReader(new InputStream(related));
  if (!relatedContracts.skipAll()) return deserError(K, relatedContracts.error!);
  return validResult();
}

export function update_state(parameters: i64, state: i64, data: i64): i64 {
  const K = ResultKind.UpdateState;
  const log = new InputStream(state);
  const updates = new UpdateDataReader(new InputStream(data));
  const stream = updates.stream;
  // Size the output for the whole result up front: the current log plus every payload.
  const result = BytesResult.newState(log.total + stream.remaining());
  const out = result.out;

  const current = walkEntries(log, log.total, out);
  if (current == Walk.Truncated) return otherError(K, "state truncated by the host");
  if (current == Walk.Malformed) return invalidStateError(K);

  while (updates.next()) {
    const kind = updates.kind;
    if (kind == UpdateKind.Delta) {
      if (updates.nextPart() != Part.Delta) break;
      if (updates.partLength == 0) return invalidUpdateWithInfoError(K, "a delta holds at least one entry");
      const walk = walkEntries(stream, stream.position + updates.partLength, out);
      if (walk == Walk.Malformed) return invalidUpdateWithInfoError(K, "malformed entry in delta");
      if (walk == Walk.Truncated) break;
    } else if (kind == UpdateKind.State || kind == UpdateKind.StateAndDelta) {
      // A full state is accepted only if it extends the log: the current entries, then new ones.
      if (updates.nextPart() != Part.State) break;
      const have = result.length();
      if (updates.partLength < have) return invalidUpdateError(K);
      if (!streamEquals(stream, out.ptr + <usize>result.payloadStart(), have)) {
        if (stream.truncated) break;
        return invalidUpdateError(K);
      }
      const walk = walkEntries(stream, stream.position + (updates.partLength - have), out);
      if (walk == Walk.Malformed) return invalidUpdateWithInfoError(K, "malformed entry in state");
      if (walk == Walk.Truncated) break;
    } else {
      return invalidUpdateWithInfoError(K, "the append-log has no related contracts");
    }
  }
  if (updates.error !== null) return deserError(K, updates.error!);
  if (!stream.ok) return deserError(K, stream.truncated ? "input truncated by the host" : "unexpected end of input");
  return result.finish();
}

export function summarize_state(parameters: i64, state: i64): i64 {
  const K = ResultKind.SummarizeState;
  const log = new InputStream(state);
  const walk = walkEntries(log, log.total, null);
  if (walk == Walk.Truncated) return otherError(K, "state truncated by the host");
  if (walk == Walk.Malformed) return invalidStateError(K);
  store<u64>(SUMMARY, walkedEntries);
  store<u64>(SUMMARY, <u64>log.total, 8);
  return summaryResult(SUMMARY, SUMMARY_BYTES);
}

export function get_state_delta(parameters: i64, state: i64, summary: i64): i64 {
  const K = ResultKind.StateDelta;
  const theirs = new InputStream(summary);
  if (theirs.total != SUMMARY_BYTES) return deserError(K, "an append-log summary is 16 bytes");
  const entries = theirs.readU64();
  const bytes = theirs.readU64();
  if (!theirs.ok) return otherError(K, "summary truncated by the host");

  const log = new InputStream(state);
  if (bytes > <u64>log.total) return invalidDeltaError(K);
  // Walk up to the summary's length: it must fall on an entry boundary after exactly `entries` entries.
  const seen = walkEntries(log, <u32>bytes, null);
  if (seen == Walk.Truncated) return otherError(K, "state truncated by the host");
  if (seen == Walk.Malformed || walkedEntries != entries) return invalidDeltaError(K);

  const result = BytesResult.delta(log.remaining());
  const rest = walkEntries(log, log.total, result.out);
  if (rest == Walk.Truncated) return otherError(K, "state truncated by the host");
  if (rest == Walk.Malformed) return invalidStateError(K);
  return result.finish();
}
