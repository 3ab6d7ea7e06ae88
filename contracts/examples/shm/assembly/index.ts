// The seed's "main" contract for memory blocks across contract calls: it
// makes a 1024-byte block, zeroes it, lends it to a plugin instance
// (assembly/probe/shm-plugin.ts) `times` times, each call incrementing the
// byte at `where`, then reads that byte back. A borrowed block comes back
// holding what the callee left, so the answer is `times` (mod 256). See
// ../README.md.
//
//   request:  [plugin instance id 32][where u32, default 512][times u32, default 3]
//             (where and times are optional: 32, 36 or 40 bytes)
//   response: [the byte at `where` u8]
//
// Integers are little-endian. A call that does not answer OK stops the run
// with runError("call N of M failed: STATUS (-n)[: the plugin's message]"),
// which commits nothing.
import {
  AttachFlags,
  BlockMode,
  Call,
  CallStatus,
  InputStream,
  INSTANCE_ID_BYTES,
  MemoryBlock,
  ADD_STORAGE_OK,
  runError,
  runOk,
  shmErrorName,
} from "../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../sdk/assembly/index";

const BLOCK_BYTES: u32 = 1024;
const DEFAULT_WHERE: u32 = 512;
const DEFAULT_TIMES: u32 = 3;

/** The attach slot donated to the host: one block's worth, 16-aligned. */
const STORAGE: usize = memory.data(<i32>BLOCK_BYTES, 16);
const PLUGIN: usize = memory.data(<i32>INSTANCE_ID_BYTES, 8);
/** The plugin's request: [where u32]. */
const REQUEST: usize = memory.data(4, 4);
const ANSWER: usize = memory.data(1, 1);

/** The plugin's error message, when it answered one. */
function refusal(status: i32): string {
  if (status != CallStatus.CALLEE_REFUSED) return "";
  const size = Call.resultSize();
  if (size <= 0) return "";
  const at = heap.alloc(<usize>size);
  const n = Call.readResult(at, 0, size);
  return n > 0 ? ": " + String.UTF8.decodeUnsafe(at, <usize>n) : "";
}

export function run(input: i64): i64 {
  const stream = new InputStream(input);
  if (!stream.ok) return runError("the input buffer has no length header");
  const total = stream.total;
  if (total != INSTANCE_ID_BYTES && total != INSTANCE_ID_BYTES + 4 && total != INSTANCE_ID_BYTES + 8) {
    return runError("the request is [plugin id 32][where u32]?[times u32]?, got " + total.toString() + " bytes");
  }
  stream.readExact(PLUGIN, INSTANCE_ID_BYTES);
  const where = total >= INSTANCE_ID_BYTES + 4 ? stream.readU32() : DEFAULT_WHERE;
  const times = total >= INSTANCE_ID_BYTES + 8 ? stream.readU32() : DEFAULT_TIMES;
  if (!stream.ok) return runError("input truncated by the host");
  if (where >= BLOCK_BYTES) {
    return runError("where must be below " + BLOCK_BYTES.toString() + ", got " + where.toString());
  }

  // One slot serves both attaches below: the host never picks the address itself.
  const donated = MemoryBlock.addStorage(STORAGE, BLOCK_BYTES);
  if (donated != ADD_STORAGE_OK) return runError("add-storage failed: " + shmErrorName(donated));
  const block = MemoryBlock.create(BLOCK_BYTES);

  // A new block is zeroed but holds no valid bytes yet: write them all.
  const area = block.attach(AttachFlags.WRITE);
  if (!area.ok) return runError("attach(write) failed: " + shmErrorName(area.error));
  memory.fill(area.addr, 0, area.size);
  block.detach(area.size);

  store<u32>(REQUEST, where);
  const handles: i32[] = [block.handle];
  const modes: i32[] = [BlockMode.BORROW];
  for (let i: u32 = 0; i < times; i++) {
    const status = Call.invokeWithBlocks(PLUGIN, REQUEST, 4, handles, modes);
    if (status != CallStatus.OK) {
      return runError(
        "call " + (i + 1).toString() + " of " + times.toString() + " failed: " + Call.statusName(status) + refusal(status),
      );
    }
  }

  // A shared read consumes nothing (an exclusive one would consume what detach says).
  const view = block.attach(AttachFlags.SHARED);
  if (!view.ok) return runError("attach(shared) failed: " + shmErrorName(view.error));
  if (where >= view.size) {
    return runError("the block came back with " + view.size.toString() + " valid bytes");
  }
  store<u8>(ANSWER, load<u8>(view.addr + <usize>where));
  block.detach(0);
  block.drop();
  return runOk(ANSWER, 1);
}
