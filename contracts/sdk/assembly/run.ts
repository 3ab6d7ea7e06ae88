// Results of the generic entry `run(input: i64) -> i64`: the input is a
// BufferBuilder read with InputStream like any Freenet input, and the result
// is the same 16-byte record as a Freenet export's, with its own kinds. The
// body is raw bytes (no bincode): the host sends them as the HTTP response.
import { Output } from "./output";

/** Record kinds of the generic entry (after the five Freenet ResultKinds). */
export const enum RunKind {
  /** The bytes are the response body; the call's storage writes commit. */
  Ok = 5,
  /** The bytes are a UTF-8 message; the host answers 422 and commits nothing. */
  Error = 6,
}

// { ptr: i64 @0, kind: i32 @8, size: u32 @12 }, as Output.finish writes it.
const RECORD_BYTES: usize = 16;

function record(ptr: usize, kind: i32, len: u32): i64 {
  const at = heap.alloc(RECORD_BYTES);
  store<u64>(at, <u64>ptr);
  store<i32>(at, kind, 8);
  store<u32>(at, len, 12);
  return <i64>at;
}

/** Success with the `len` bytes at `ptr` as the response body (not copied: keep them alive). */
export function runOk(ptr: usize, len: u32): i64 {
  return record(ptr, RunKind.Ok, len);
}

/** Success with everything written to `out` as the response body. */
export function runOkOutput(out: Output): i64 {
  return out.finish(RunKind.Ok);
}

/** Failure: the host answers 422 with `message` and commits none of the call's storage writes. */
export function runError(message: string): i64 {
  const n = <u32>String.UTF8.byteLength(message);
  const out = new Output(n);
  String.UTF8.encodeUnsafe(changetype<usize>(message), message.length, out.reserve(n));
  return out.finish(RunKind.Error);
}
