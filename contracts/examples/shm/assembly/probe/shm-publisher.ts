// The seed's pub-sub publisher; the build compiles it to
// build/contracts/shm-publisher.wasm. It publishes `count` blocks on this
// instance's feed, the i-th (from 1) holding [i u32] as its valid bytes (the
// first `element size` bytes of it, if that is below 4).
//
//   request:  [count u32, default 20][elements u32, default 5][element size u32, default 256][trap u32]
//             (each field optional, in order: 0, 4, 8, 12 or 16 bytes)
//   response: [count u32]
//
// trap == 1 traps (unreachable) after publishing everything, to show that a
// failed run publishes nothing. Refusals (runError): add-storage or attach
// refused.
import {
  AttachFlags,
  InputStream,
  MemoryBlock,
  Output,
  Publisher,
  ADD_STORAGE_OK,
  runError,
  runOkOutput,
  shmErrorName,
} from "../../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../../sdk/assembly/index";

const DEFAULT_COUNT: u32 = 20;
const DEFAULT_ELEMENTS: u32 = 5;
const DEFAULT_ELEMENT_SIZE: u32 = 256;

export function run(input: i64): i64 {
  const stream = new InputStream(input);
  if (!stream.ok) return runError("the input buffer has no length header");
  const total = stream.total;
  if (total > 16 || total % 4 != 0) {
    return runError("the request is up to four u32 (count, elements, element size, trap), got " + total.toString() + " bytes");
  }
  const count = total >= 4 ? stream.readU32() : DEFAULT_COUNT;
  const elements = total >= 8 ? stream.readU32() : DEFAULT_ELEMENTS;
  const elementSize = total >= 12 ? stream.readU32() : DEFAULT_ELEMENT_SIZE;
  const trap = total >= 16 ? stream.readU32() == 1 : false;
  if (!stream.ok) return runError("input truncated by the host");

  const publisher = Publisher.create(elements, elementSize);
  // Each block is published before the next is allocated: one slot is enough.
  let donated = false;
  for (let i: u32 = 1; i <= count; i++) {
    const block: MemoryBlock = publisher.allocate().block;
    if (!donated) {
      const need = block.minimumSize();
      const status = MemoryBlock.addStorage(heap.alloc(<usize>need), need);
      if (status != ADD_STORAGE_OK) return runError("add-storage failed: " + shmErrorName(status));
      donated = true;
    }
    const area = block.attach(AttachFlags.WRITE | AttachFlags.SHARED);
    if (!area.ok) return runError("attach(write) failed: " + shmErrorName(area.error));
    const n = min<u32>(4, area.size);
    for (let b: u32 = 0; b < n; b++) store<u8>(area.addr + <usize>b, <u8>(i >> (b * 8)));
    block.detach(n);
    publisher.publish(block);
  }
  if (trap) unreachable();
  return runOkOutput(new Output(4).u32(count));
}
