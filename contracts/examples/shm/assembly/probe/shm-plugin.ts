// The seed's plugin, `image.increment(buffer, where)`; the build compiles it
// to build/contracts/shm-plugin.wasm. The shm example (../index.ts) calls it
// with one block passed (borrowed or transferred) and the request below; it
// adds 1 to the byte at `where` of that block and marks all its bytes valid.
//
//   request:  [where u32]
//   response: empty
//
// Refusals (runError, nothing commits, the caller's block stays as it was):
// no block passed ("call_block(0) answered NOT_FOUND (-11)"), add-storage or
// attach refused, `where` beyond the block.
import {
  AttachFlags,
  Call,
  InputStream,
  MemoryBlock,
  ADD_STORAGE_OK,
  Output,
  runError,
  runOkOutput,
  shmErrorName,
} from "../../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../../sdk/assembly/index";

export function run(input: i64): i64 {
  const stream = new InputStream(input);
  if (!stream.ok) return runError("the input buffer has no length header");
  if (stream.total != 4) return runError("the request is [where u32], got " + stream.total.toString() + " bytes");
  const where = stream.readU32();
  if (!stream.ok) return runError("input truncated by the host");

  const handle = Call.passedBlock(0);
  if (handle < 0) return runError("call_block(0) answered " + Call.statusName(handle));
  const block = new MemoryBlock(handle);

  // One slot the size of the block, wherever the allocator puts it (16-aligned).
  const need = block.minimumSize();
  const donated = MemoryBlock.addStorage(heap.alloc(<usize>need), need);
  if (donated != ADD_STORAGE_OK) return runError("add-storage failed: " + shmErrorName(donated));
  const area = block.attach(AttachFlags.WRITE);
  if (!area.ok) return runError("attach(write) failed: " + shmErrorName(area.error));
  if (where >= area.size) {
    return runError("where " + where.toString() + " is beyond the " + area.size.toString() + "-byte block");
  }
  const at = area.addr + <usize>where;
  store<u8>(at, load<u8>(at) + 1);
  block.detach(area.size);
  block.drop();
  return runOkOutput(new Output(0));
}
