// The SDK's Storage wrappers (contracts/sdk/assembly/storage.ts) against the
// production edge_storage host in a NodeInstance: every status of the ABI,
// write-back on sync, unmap and return, and no commit after an error result.
import { beforeAll, describe, expect, it } from "vitest";
import { edgeStorage } from "../../../src/namespaces/edge-storage.js";
import { HostStatus } from "../../../src/protocol/host-status.js";
import type { StorageChanges } from "../../../src/protocol/storage-port.js";
import { compileEntry } from "../support/contracts.js";
import { NodeInstance } from "../support/node-instance.js";
import { peek } from "../support/storage-bytes.js";

let probe: WebAssembly.Module;

beforeAll(async () => {
  probe = await compileEntry("contracts/examples/hash-map/assembly/probe/storage-probe.ts");
}, 60_000);

const changedFrames = (instance: NodeInstance) =>
  ((instance.lastChanges[edgeStorage.name] as StorageChanges | undefined)?.writes ?? []).map(
    (write) => write.index,
  );

describe("SDK Storage on the production host", () => {
  it("maps, syncs, unmaps and refuses what the ABI refuses", async () => {
    const instance = new NodeInstance();
    const store = instance.hosts.store(edgeStorage);
    const outcome = await instance.run(probe, new Uint8Array([1]));
    if (outcome.kind !== "ok") throw new Error(`expected RUN_OK, got ${JSON.stringify(outcome)}`);
    const view = new DataView(outcome.body.buffer, outcome.body.byteOffset, outcome.body.byteLength);
    let at = 0;
    const i32 = () => ((at += 4), view.getInt32(at - 4, true));
    const i64 = () => ((at += 8), Number(view.getBigInt64(at - 8, true)));
    expect(i32()).toBe(HostStatus.OK); // map straddling frames 0 and 1
    expect(i32()).toBe(1); // zero-filled
    expect(i64()).toBe(0); // size before the sync
    expect(i32()).toBe(HostStatus.OK);
    expect(i64()).toBe(65_600);
    expect([i32(), i32(), i32()]).toEqual([HostStatus.OVERLAP, HostStatus.OVERLAP, HostStatus.OVERLAP]);
    expect(i32()).toBe(HostStatus.OK); // adjacent mapping
    expect([i32(), i32()]).toEqual([HostStatus.OK, HostStatus.NOT_MAPPED]);
    expect([i32(), i32()]).toEqual([HostStatus.OK, 1]); // read sees the synced bytes
    expect([i32(), i32(), i32()]).toEqual([
      HostStatus.INVALID_ARGUMENT,
      HostStatus.STORAGE_LIMIT,
      HostStatus.OUT_OF_BOUNDS,
    ]);
    expect(i32()).toBe(HostStatus.OK);
    expect(i64()).toBe(1 << 30); // the default STORAGE_LIMIT_BYTES
    expect(at).toBe(outcome.body.length);

    const mapped = peek(store, 65_500, 110);
    expect(mapped[0]).toBe(0x77); // changed after the sync, written back at return
    expect([...mapped.subarray(1, 100)]).toEqual(Array.from({ length: 99 }, (_, i) => i + 2));
    expect([...mapped.subarray(100)]).toEqual(Array.from({ length: 10 }, () => 0xaa));
    expect(changedFrames(instance)).toEqual([0, 1, 16_383]);
    expect(store.size()).toBe(1 << 30);
  });

  it("commits nothing when run answers an error", async () => {
    const instance = new NodeInstance();
    const store = instance.hosts.store(edgeStorage);
    expect(await instance.run(probe, new Uint8Array([2]))).toEqual({ kind: "error", message: "rolled back" });
    // The call did change frame 0 (handed back for commit), and the error dropped it.
    expect(changedFrames(instance)).toEqual([0]);
    expect(store.stats()).toEqual({ size: 0, framesStored: 0, bytesStored: 0 });
    expect(store.size()).toBe(0);
  });
});
