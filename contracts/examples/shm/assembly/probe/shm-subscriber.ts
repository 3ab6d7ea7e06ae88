// A pub-sub subscriber; the build compiles it to
// build/contracts/shm-subscriber.wasm. It reads this instance's inbox (what
// the instances it subscribes to published) until nothing more is there, or
// up to `max` entries.
//
//   request:  [max u32, 0 = no limit][trap u32]  (each optional: 0, 4 or 8 bytes)
//   response: per entry, 13 bytes: [tag u8][seq u64][value u32]
//             tag 0 (a block): seq is the publication's, value its first 4
//               valid bytes as a u32 (zero-padded when it holds fewer);
//             tag 2 (a gap): seq is the first publication missed, value how
//               many were missed.
//
// trap == 1 traps (unreachable) after reading, to show that a failed run
// consumes nothing. Refusals (runError): add-storage or attach refused, a tag
// other than 0, 1 or 2.
import {
  AttachFlags,
  BlockStream,
  InputStream,
  MemoryBlock,
  Output,
  StreamTag,
  Subscriber,
  ADD_STORAGE_OK,
  runError,
  runOkOutput,
  shmErrorName,
} from "../../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../../sdk/assembly/index";

const ENTRY_BYTES: u32 = 13;

/** The largest slot donated so far: an attach takes the first free slot that fits. */
let slot: u32 = 0;

/** Donates a slot for `need` bytes unless one is already big enough; null or the failure. */
function ensureStorage(need: u32): string | null {
  if (need <= slot) return null;
  const status = MemoryBlock.addStorage(heap.alloc(<usize>need), need);
  if (status != ADD_STORAGE_OK) return "add-storage failed: " + shmErrorName(status);
  slot = need;
  return null;
}

export function run(input: i64): i64 {
  const stream = new InputStream(input);
  if (!stream.ok) return runError("the input buffer has no length header");
  const total = stream.total;
  if (total != 0 && total != 4 && total != 8) {
    return runError("the request is [max u32]?[trap u32]?, got " + total.toString() + " bytes");
  }
  const max = total >= 4 ? stream.readU32() : 0;
  const trap = total >= 8 ? stream.readU32() == 1 : false;
  if (!stream.ok) return runError("input truncated by the host");

  const inbox = Subscriber.inbox();
  const entries: BlockStream = inbox.getStream();
  const out = new Output(ENTRY_BYTES * 16);
  let read: u32 = 0;
  while (max == 0 || read < max) {
    const tag = entries.next();
    if (tag == StreamTag.NOTHING) break;
    let value: u32 = 0;
    if (tag == StreamTag.BLOCK) {
      const block = new MemoryBlock(entries.block);
      const failure = ensureStorage(block.minimumSize());
      if (failure !== null) return runError(failure);
      const area = block.attach(AttachFlags.SHARED);
      if (!area.ok) return runError("attach(shared) failed: " + shmErrorName(area.error));
      const n = min<u32>(4, area.size);
      for (let b: u32 = 0; b < n; b++) value |= <u32>load<u8>(area.addr + <usize>b) << (b * 8);
      block.detach(0);
      block.drop();
    } else if (tag == StreamTag.GAP) {
      value = entries.missed;
    } else {
      return runError("next answered tag " + tag.toString());
    }
    out.u8(tag).u64(entries.seq).u32(value);
    read++;
  }
  if (trap) unreachable();
  entries.drop();
  inbox.drop();
  return runOkOutput(out);
}
