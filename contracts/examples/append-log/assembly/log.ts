// Walking `[u32 LE len][len bytes]` entries straight off an input stream, so
// a log of any size is checked with only the host's 64 KiB buffer in memory.
import { InputStream, Output } from "../../../sdk/assembly/index";

export const enum Walk {
  Ok = 0,
  /** An entry header or body does not fit before `end`. */
  Malformed = 1,
  /** The host delivered less than it announced. */
  Truncated = 2,
}

const HEADER: u32 = 4;

/** Entries seen by the last walk. */
export let walkedEntries: u64 = 0;

/**
 * Consumes entries from `stream` until its position reaches `end`; each must
 * end exactly at or before `end`. With `out`, the bytes are copied there too
 * (piped from the host's buffer, never staged elsewhere).
 */
export function walkEntries(stream: InputStream, end: u32, out: Output | null): Walk {
  walkedEntries = 0;
  while (stream.position < end) {
    if (end - stream.position < HEADER) return Walk.Malformed;
    const len = stream.readU32();
    if (!stream.ok) return Walk.Truncated;
    if (len > end - stream.position) return Walk.Malformed;
    if (out !== null) {
      out.u32(len);
      if (!out.pipe(stream, len)) return Walk.Truncated;
    } else if (!stream.skip(len)) {
      return Walk.Truncated;
    }
    walkedEntries++;
  }
  return Walk.Ok;
}

/** Reads `n` bytes from `stream` and compares them with memory at `expected`; false on any difference. */
export function streamEquals(stream: InputStream, expected: usize, n: u32): bool {
  let done: u32 = 0;
  while (done < n) {
    const got = stream.pull(n - done);
    if (got == 0) return false;
    if (memory.compare(stream.chunk, expected + <usize>done, got) != 0) return false;
    done += got;
  }
  return true;
}
