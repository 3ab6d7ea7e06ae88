// A single-writer document: parameters are the writer's Ed25519 public key,
// the state is [u64 LE version][64-byte signature][payload], and the signature
// covers (version || payload). Payloads are verified as they stream through
// the host's 64 KiB buffer. See ../README.md.
import {
  BytesResult,
  InputStream,
  Output,
  Part,
  RelatedContractsReader,
  ResultKind,
  UpdateDataReader,
  UpdateKind,
  deserError,
  invalidResult,
  invalidStateError,
  invalidUpdateError,
  otherError,
  summaryResult,
  validResult,
} from "../../../sdk/assembly/index";
import { Ed25519Verifier } from "../../../sdk/assembly/ed25519";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../sdk/assembly/index";

const KEY_BYTES: u32 = 32;
const VERSION_BYTES: u32 = 8;
const SIGNATURE_BYTES: u32 = 64;
/** version + signature: everything before the payload. */
const HEADER_BYTES: u32 = VERSION_BYTES + SIGNATURE_BYTES;

const KEY: usize = memory.data(KEY_BYTES, 8);
const CURRENT: usize = memory.data(HEADER_BYTES, 8);
const CANDIDATE: usize = memory.data(HEADER_BYTES, 8);

// One verifier per instance; reset() reuses its hasher (the stub allocator never frees).
let verifier: Ed25519Verifier | null = null;

function startVerifying(header: usize): Ed25519Verifier {
  let v = verifier;
  if (v === null) {
    v = new Ed25519Verifier(KEY, header + VERSION_BYTES);
    verifier = v;
  } else {
    v.reset(KEY, header + VERSION_BYTES);
  }
  v.update(header, VERSION_BYTES); // the version is signed along with the payload
  return v;
}

/** Feeds the next `n` payload bytes to `v` (and copies them to `out`); false if the input ran short. */
function streamPayload(stream: InputStream, n: u32, v: Ed25519Verifier, out: Output | null): bool {
  let done: u32 = 0;
  while (done < n) {
    const got = stream.pull(n - done);
    if (got == 0) return false;
    v.update(stream.chunk, got);
    if (out !== null) out.raw(stream.chunk, got);
    done += got;
  }
  return true;
}

/** Loads the 32-byte public key from the parameters; false if they are anything else. */
function readKey(parameters: i64): bool {
  const params = new InputStream(parameters);
  return params.total == KEY_BYTES && params.readExact(KEY, KEY_BYTES);
}

const BAD_PARAMETERS = "parameters must be a 32-byte Ed25519 public key";

export function validate_state(parameters: i64, state: i64, related: i64): i64 {
  const K = ResultKind.ValidateState;
  if (!readKey(parameters)) return deserError(K, BAD_PARAMETERS);
  const doc = new InputStream(state);
  if (doc.total < HEADER_BYTES) return invalidResult();
  if (!doc.readExact(CURRENT, HEADER_BYTES)) return otherError(K, "state truncated by the host");
  const v = startVerifying(CURRENT);
  if (!streamPayload(doc, doc.remaining(), v, null)) return otherError(K, "state truncated by the host");
  const relatedContracts = new RelatedContractsReader(new InputStream(related));
  if (!relatedContracts.skipAll()) return deserError(K, relatedContracts.error!);
  return v.verify() ? validResult() : invalidResult();
}

export function update_state(parameters: i64, state: i64, data: i64): i64 {
  const K = ResultKind.UpdateState;
  if (!readKey(parameters)) return deserError(K, BAD_PARAMETERS);
  const doc = new InputStream(state);
  if (doc.total < HEADER_BYTES) return invalidStateError(K);
  if (!doc.readExact(CURRENT, HEADER_BYTES)) return otherError(K, "state truncated by the host");
  let latest = load<u64>(CURRENT);

  const updates = new UpdateDataReader(new InputStream(data));
  const stream = updates.stream;
  const result = BytesResult.newState(max(doc.total, stream.remaining()));
  const out = result.out;
  let accepted = false;
  while (updates.next()) {
    // Only complete signed states; a delta cannot carry a signature over the whole payload.
    if (updates.kind != UpdateKind.State) return invalidUpdateError(K);
    if (updates.nextPart() != Part.State) break;
    const length = updates.partLength;
    if (length < HEADER_BYTES) return invalidUpdateError(K);
    if (!stream.readExact(CANDIDATE, HEADER_BYTES)) break;
    const version = load<u64>(CANDIDATE);
    if (version <= latest) return invalidUpdateError(K);
    // Later states in the batch supersede earlier ones; keep only the newest.
    result.truncatePayload(0);
    out.raw(CANDIDATE, HEADER_BYTES);
    const v = startVerifying(CANDIDATE);
    if (!streamPayload(stream, length - HEADER_BYTES, v, out)) break;
    if (!v.verify()) return invalidUpdateError(K);
    latest = version;
    accepted = true;
  }
  if (updates.error !== null) return deserError(K, updates.error!);
  if (!stream.ok) return deserError(K, stream.truncated ? "input truncated by the host" : "unexpected end of input");
  if (!accepted) {
    // Nothing new: answer with the current state, as it was.
    out.raw(CURRENT, HEADER_BYTES);
    if (!out.pipe(doc, doc.remaining())) return otherError(K, "state truncated by the host");
  }
  return result.finish();
}

export function summarize_state(parameters: i64, state: i64): i64 {
  const K = ResultKind.SummarizeState;
  const doc = new InputStream(state);
  if (doc.total < HEADER_BYTES) return invalidStateError(K);
  if (!doc.readExact(CURRENT, VERSION_BYTES)) return otherError(K, "state truncated by the host");
  return summaryResult(CURRENT, VERSION_BYTES);
}

export function get_state_delta(parameters: i64, state: i64, summary: i64): i64 {
  const K = ResultKind.StateDelta;
  const theirs = new InputStream(summary);
  if (theirs.total != VERSION_BYTES) return deserError(K, "a signed-state summary is an 8-byte version");
  const known = theirs.readU64();
  if (!theirs.ok) return otherError(K, "summary truncated by the host");
  const doc = new InputStream(state);
  if (doc.total < HEADER_BYTES) return invalidStateError(K);
  const current = doc.readU64();
  if (!doc.ok) return otherError(K, "state truncated by the host");
  // The delta is the whole signed state, or nothing when the other side is up to date.
  const result = BytesResult.delta(current > known ? doc.total : 0);
  if (current > known) {
    result.out.u64(current);
    if (!result.out.pipe(doc, doc.remaining())) return otherError(K, "state truncated by the host");
  }
  return result.finish();
}
