// A grow-only counter: state is a u64 LE (an empty state counts as 0),
// deltas are u64 LE increments. See ../README.md.
import {
  InputStream,
  Part,
  RelatedContractsReader,
  ResultKind,
  UpdateDataReader,
  UpdateKind,
  deltaResult,
  deserError,
  invalidDeltaError,
  invalidResult,
  invalidStateError,
  invalidUpdateError,
  invalidUpdateWithInfoError,
  newStateResult,
  otherError,
  summaryResult,
  validResult,
} from "../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../sdk/assembly/index";

const VALUE: usize = memory.data(8, 8);

function wellFormed(stream: InputStream): bool {
  return stream.total == 0 || stream.total == 8;
}

/** The counter value; only call on a well-formed stream, then check `stream.ok`. */
function readValue(stream: InputStream): u64 {
  return stream.total == 0 ? 0 : stream.readU64();
}

function encode(value: u64): usize {
  store<u64>(VALUE, value);
  return VALUE;
}

export function validate_state(parameters: i64, state: i64, related: i64): i64 {
  const current = new InputStream(state);
  if (!wellFormed(current)) return invalidResult();
  const relatedContracts = new RelatedContractsReader(new InputStream(related));
  if (!relatedContracts.skipAll()) return deserError(ResultKind.ValidateState, relatedContracts.error!);
  return validResult();
}

export function update_state(parameters: i64, state: i64, data: i64): i64 {
  const K = ResultKind.UpdateState;
  const current = new InputStream(state);
  if (!wellFormed(current)) return invalidStateError(K);
  let value = readValue(current);
  if (!current.ok) return otherError(K, "state truncated by the host");

  const updates = new UpdateDataReader(new InputStream(data));
  const stream = updates.stream;
  while (updates.next()) {
    const kind = updates.kind;
    if (kind == UpdateKind.State || kind == UpdateKind.StateAndDelta) {
      // A full state wins over the delta that came with it.
      if (updates.nextPart() != Part.State) break;
      if (updates.partLength != 0 && updates.partLength != 8) {
        return invalidUpdateWithInfoError(K, "a counter state is 0 or 8 bytes");
      }
      const next: u64 = updates.partLength == 0 ? 0 : stream.readU64();
      if (!stream.ok) break;
      if (next < value) return invalidUpdateError(K);
      value = next;
    } else if (kind == UpdateKind.Delta) {
      if (updates.nextPart() != Part.Delta) break;
      if (updates.partLength != 8) return invalidUpdateWithInfoError(K, "a counter delta is 8 bytes");
      const increment = stream.readU64();
      if (!stream.ok) break;
      if (value + increment < value) return invalidUpdateWithInfoError(K, "counter overflow");
      value += increment;
    } else {
      return invalidUpdateWithInfoError(K, "the counter has no related contracts");
    }
  }
  if (updates.error !== null) return deserError(K, updates.error!);
  if (!stream.ok) return deserError(K, "unexpected end of input");
  return newStateResult(encode(value), 8);
}

export function summarize_state(parameters: i64, state: i64): i64 {
  const K = ResultKind.SummarizeState;
  const current = new InputStream(state);
  if (!wellFormed(current)) return invalidStateError(K);
  const value = readValue(current);
  if (!current.ok) return otherError(K, "state truncated by the host");
  return summaryResult(encode(value), 8);
}

export function get_state_delta(parameters: i64, state: i64, summary: i64): i64 {
  const K = ResultKind.StateDelta;
  const current = new InputStream(state);
  if (!wellFormed(current)) return invalidStateError(K);
  const value = readValue(current);
  if (!current.ok) return otherError(K, "state truncated by the host");
  const theirs = new InputStream(summary);
  if (theirs.total != 8) return deserError(K, "a counter summary is 8 bytes");
  const seen = theirs.readU64();
  if (!theirs.ok) return otherError(K, "summary truncated by the host");
  if (seen > value) return invalidDeltaError(K);
  return deltaResult(encode(value - seen), 8);
}
