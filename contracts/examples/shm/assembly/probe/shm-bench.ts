// Benchmark entry for memory blocks; the build compiles it to
// build/contracts/shm-bench.wasm. Mode 0 times attach + detach of a written
// block (the host copies the valid bytes in at attach and back at detach);
// mode 1 is its baseline, a plain copy of the same size in guest memory.
//
//   request:  [mode u32][size u32][iterations u32]
//             mode 0: create a block of `size` bytes, donate STORAGE once,
//                     then `iterations` x (attach(WRITE), detach(size));
//             mode 1: `iterations` x memory.copy(STORAGE, SOURCE, size), a
//                     checksum of the copies kept in memory so none is dropped
//   response: [iterations u32]
//
// STORAGE is 1 MiB + 64 (16-aligned), SOURCE 1 MiB. Refusals (runError): an
// unknown mode, a mode 1 size over 1 MiB, add-storage or attach refused (a
// mode 0 size over STORAGE is WRONG_SIZE).
import {
  Attached,
  AttachFlags,
  InputStream,
  MemoryBlock,
  Output,
  ADD_STORAGE_OK,
  runError,
  runOkOutput,
  shmErrorName,
} from "../../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../../sdk/assembly/index";

const MODE_ATTACH: u32 = 0;
const MODE_COPY: u32 = 1;

const SOURCE_BYTES: u32 = 1 << 20;
const STORAGE_BYTES: u32 = SOURCE_BYTES + 64;
const STORAGE: usize = memory.data(<i32>STORAGE_BYTES, 16);
const SOURCE: usize = memory.data(<i32>SOURCE_BYTES, 16);
const CHECKSUM: usize = memory.data(8, 8);

function attachLoop(size: u32, iterations: u32): string | null {
  const block = MemoryBlock.create(size);
  const donated = MemoryBlock.addStorage(STORAGE, STORAGE_BYTES);
  if (donated != ADD_STORAGE_OK) return "add-storage failed: " + shmErrorName(donated);
  // One result record for every turn: the loop allocates nothing.
  const area = new Attached();
  for (let i: u32 = 0; i < iterations; i++) {
    block.attachInto(AttachFlags.WRITE, area);
    if (!area.ok) return "attach(write) failed: " + shmErrorName(area.error);
    block.detach(size);
  }
  block.drop();
  return null;
}

function copyLoop(size: u32, iterations: u32): void {
  let checksum = load<u64>(CHECKSUM);
  for (let i: u32 = 0; i < iterations; i++) {
    memory.copy(STORAGE, SOURCE, size);
    if (size > 0) checksum += <u64>load<u8>(STORAGE + <usize>(i % size));
  }
  store<u64>(CHECKSUM, checksum);
}

export function run(input: i64): i64 {
  const stream = new InputStream(input);
  if (!stream.ok) return runError("the input buffer has no length header");
  if (stream.total != 12) {
    return runError("the request is [mode u32][size u32][iterations u32], got " + stream.total.toString() + " bytes");
  }
  const mode = stream.readU32();
  const size = stream.readU32();
  const iterations = stream.readU32();
  if (!stream.ok) return runError("input truncated by the host");
  if (mode == MODE_ATTACH) {
    const failure = attachLoop(size, iterations);
    if (failure !== null) return runError(failure);
  } else if (mode == MODE_COPY) {
    if (size > SOURCE_BYTES) return runError("size over " + SOURCE_BYTES.toString() + " bytes");
    copyLoop(size, iterations);
  } else {
    return runError("unknown mode " + mode.toString());
  }
  return runOkOutput(new Output(4).u32(iterations));
}
