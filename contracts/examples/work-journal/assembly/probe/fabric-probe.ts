// Test entry for the fbmu conformance suite (test/support/conformance/fbmu.case.test.ts),
// which runs it on every host; the build compiles it to
// build/contracts/fabric-probe.wasm. Scripted calls through the SDK's fabric
// wrappers (FabricMem, MemBuilder, MemLease), so the suite can check what each
// returns. The request body is a scenario byte (scenario 2 then min_bytes and
// lease_secs as u64 LE; scenario 3 then a 16-byte lease id); the response lists
// the results as i64 LE in call order (scenario 1 also starts with the lease id).
import {
  FabricMem,
  InputStream,
  LEASE_ID_BYTES,
  MemBuilder,
  MemLease,
  Output,
  runError,
  runOkOutput,
} from "../../../../sdk/assembly/index";

export { __frnt__initiate_buffer, __frnt_set_id } from "../../../../sdk/assembly/index";

function put(out: Output, value: i64): void {
  out.u64(<u64>value);
}

/** Scenario 1: the default arena, acquire failures, and one lease's whole life. */
function walk(out: Output): i64 {
  const a = heap.alloc(16);
  const b = heap.alloc(16);
  for (let i: usize = 0; i < 8; i++) store<u8>(a + i, <u8>(0xa0 + i));

  // Default arena.
  put(out, FabricMem.hello());
  const size = FabricMem.arenaSize();
  put(out, size);
  put(out, FabricMem.write(100, a, 8)); // 8
  put(out, FabricMem.read(100, b, 8)); // 8
  put(out, memory.compare(a, b, 8) == 0 ? 1 : 0);
  put(out, FabricMem.write(<u64>size - 4, a, 8)); // OUT_OF_BOUNDS

  // Acquire failures.
  put(out, new MemBuilder().minBytes(0).acquire() === null ? 1 : 0);
  put(out, MemBuilder.lastStatus); // INVALID_ARGUMENT
  put(out, new MemBuilder().minBytes(<u64>1 << 40).acquire() === null ? 1 : 0);
  put(out, MemBuilder.lastStatus); // CAPACITY_EXCEEDED
  put(out, new MemBuilder().leaseSecs(0).acquire() === null ? 1 : 0);
  put(out, MemBuilder.lastStatus); // INVALID_ARGUMENT

  // One lease.
  const lease = new MemBuilder().minBytes(1).leaseSecs(10).acquire();
  if (lease === null) return runError("acquire failed: " + FabricMem.statusName(MemBuilder.lastStatus));
  put(out, MemBuilder.lastStatus); // OK
  let info = lease.info();
  put(out, <i64>info.arenaSize); // 65536
  put(out, <i64>info.expiresAt); // now + 10
  put(out, info.status); // Active
  put(out, lease.mem().write(65530, a, 8)); // OUT_OF_BOUNDS
  put(out, lease.mem().write(65528, a, 8)); // 8
  memory.fill(b, 0, 16);
  put(out, lease.mem().read(65528, b, 8)); // 8
  put(out, memory.compare(a, b, 8) == 0 ? 1 : 0);
  put(out, lease.mem().read(0, b, 8)); // 8: unwritten bytes read as zero
  put(out, load<u64>(b));
  put(out, lease.renew(0)); // INVALID_ARGUMENT
  put(out, lease.renew(100)); // now + 100
  put(out, lease.renew(5)); // still now + 100

  // Attach: the same lease by id; an unknown id.
  const again = MemBuilder.attach(lease.id);
  put(out, again === null ? 0 : 1);
  put(out, again === null ? 0 : <i64>again.info().expiresAt); // now + 100
  const unknown = heap.alloc(<usize>LEASE_ID_BYTES);
  memory.fill(unknown, 0x5a, <usize>LEASE_ID_BYTES);
  put(out, MemBuilder.attach(unknown) === null ? 1 : 0);
  put(out, MemBuilder.lastStatus); // NOT_FOUND

  // Free.
  put(out, lease.free()); // OK
  put(out, lease.free()); // REVOKED
  put(out, lease.status()); // Revoked
  put(out, MemBuilder.attach(lease.id) === null ? 1 : 0);
  put(out, MemBuilder.lastStatus); // REVOKED
  put(out, lease.mem().read(0, b, 8)); // REVOKED
  put(out, lease.renew(10)); // REVOKED
  info = FabricMem.query(lease.id)!;
  put(out, info.status); // Revoked

  const result = new Output(16 + out.len);
  result.raw(lease.id, LEASE_ID_BYTES).raw(out.ptr, out.len);
  return runOkOutput(result);
}

/** Scenario 2: leases of min_bytes for lease_secs until the instance quota refuses one (100 at most); [count][lastStatus]. */
function quota(stream: InputStream, out: Output): i64 {
  const minBytes = stream.readU64();
  const leaseSecs = stream.readU64();
  if (!stream.ok) return runError("scenario 2 takes min_bytes and lease_secs (u64 each)");
  let count: i64 = 0;
  while (count < 100 && new MemBuilder().minBytes(minBytes).leaseSecs(leaseSecs).acquire() !== null) count++;
  put(out, count);
  put(out, MemBuilder.lastStatus); // CAPACITY_EXCEEDED
  return runOkOutput(out);
}

/** Scenario 3 (the id follows): attach, then every call through a wrapped handle. */
function probeId(stream: InputStream, out: Output): i64 {
  const id = stream.readBytes(LEASE_ID_BYTES);
  if (!stream.ok) return runError("scenario 3 takes a 16-byte id");
  put(out, MemBuilder.attach(id) === null ? 1 : 0);
  put(out, MemBuilder.lastStatus);
  const lease = MemLease.wrap(id);
  const info = lease.info();
  put(out, MemBuilder.lastStatus); // OK for any known lease
  put(out, info.status);
  put(out, <i64>info.expiresAt);
  put(out, lease.mem().write(0, id, 16));
  put(out, lease.renew(10));
  put(out, lease.free());
  return runOkOutput(out);
}

export function run(input: i64): i64 {
  const stream = new InputStream(input);
  const scenario = stream.readU8();
  if (!stream.ok) return runError("empty request");
  const out = new Output(512);
  if (scenario == 1) return walk(out);
  if (scenario == 2) return quota(stream, out);
  if (scenario == 3) return probeId(stream, out);
  return runError("unknown scenario " + scenario.toString());
}
