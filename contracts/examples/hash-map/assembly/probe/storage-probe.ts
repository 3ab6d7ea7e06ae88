// Test entry for the edge_storage conformance suite
// (test/support/conformance/edge-storage.case.test.ts), which runs it on every
// host; the build compiles it to build/contracts/storage-probe.wasm. Scripted
// calls through the SDK's Storage wrappers, so the suite can check every status
// the edge_storage imports return and what a call leaves in storage. The
// request body is one scenario byte (scenario 1 then the host's
// STORAGE_LIMIT_BYTES as u64 LE); the response lists the statuses (i32 LE) and
// sizes (i64 LE) in call order.
import { Output, Storage, runError, runOkOutput, InputStream } from "../../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../../sdk/assembly/index";

function status(out: Output, value: i32): void {
  out.u32(<u32>value);
}

/** Scenario 1: mappings, sync, overlaps, unmap, bounds. The first mapping stays mapped at return. */
function mappings(out: Output, limit: u64): i64 {
  const a = heap.alloc(256);
  const b = heap.alloc(256);
  status(out, Storage.map(a, 65500, 100)); // OK, straddles frames 0 and 1
  let zero: u32 = 1;
  for (let i: usize = 0; i < 100; i++) if (load<u8>(a + i) != 0) zero = 0;
  out.u32(zero);
  for (let i: usize = 0; i < 100; i++) store<u8>(a + i, <u8>(i + 1));
  out.u64(<u64>Storage.size()); // nothing written back yet
  status(out, Storage.sync());
  out.u64(<u64>Storage.size()); // 65600
  status(out, Storage.map(a, 0, 10)); // OVERLAP: the same memory start
  status(out, Storage.map(a + 50, 0, 10)); // OVERLAP: memory
  status(out, Storage.map(a + 200, 65550, 10)); // OVERLAP: storage
  status(out, Storage.map(a + 200, 65600, 10)); // OK: adjacent in both
  memory.fill(a + 200, 0xaa, 10);
  status(out, Storage.unmap(a + 200)); // OK, written back
  status(out, Storage.unmap(a + 200)); // NOT_MAPPED
  status(out, Storage.read(b, 65500, 100)); // OK
  out.u32(memory.compare(a, b, 100) == 0 ? 1 : 0);
  status(out, Storage.read(b, 0, 0xffff_ffff)); // INVALID_ARGUMENT: length -1
  status(out, Storage.read(b, limit - 4, 8)); // STORAGE_LIMIT
  status(out, Storage.read((<usize>memory.size() << 16) - 4, 0, 8)); // OUT_OF_BOUNDS
  status(out, Storage.write(limit - 4, b, 4)); // OK: the last 4 bytes of the space
  out.u64(<u64>Storage.size()); // the limit
  store<u8>(a, 0x77); // still mapped: written back when run returns
  return runOkOutput(out);
}

/** Scenario 2: writes, then an error result: nothing may commit. The message says what the writes answered. */
function rolledBack(): i64 {
  const a = heap.alloc(16);
  const mapped = Storage.map(a, 0, 8);
  memory.fill(a, 0x55, 8);
  const written = Storage.write(100, a, 4);
  return runError("rolled back after map " + mapped.toString() + ", write " + written.toString());
}

export function run(input: i64): i64 {
  const stream = new InputStream(input);
  const scenario = stream.readU8();
  const out = new Output(128);
  if (scenario == 1) {
    const limit = stream.readU64();
    if (!stream.ok) return runError("scenario 1 takes the storage limit (u64)");
    return mappings(out, limit);
  }
  if (scenario == 2) return rolledBack();
  return runError("unknown scenario");
}
