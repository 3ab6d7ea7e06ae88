// What the edge_storage conformance suite cannot see of the storage probe
// (contracts/examples/hash-map/assembly/probe/storage-probe.ts, the build's
// build/contracts/storage-probe.wasm): what a call hands back for commit. The
// probe's statuses, sizes, stored bytes and write-back at return are checked
// on every host by test/support/conformance/edge-storage.case.test.ts.
import { describe, expect, it } from "vitest";
import { edgeStorage } from "../../../src/namespaces/edge-storage.js";
import type { StorageChanges } from "../../../src/protocol/storage-port.js";
import { rolledBackBody } from "../../support/conformance/storage-probe-requests.js";
import { NodeInstance } from "../support/node-instance.js";
import { contractModule } from "../support/wasm.js";

const probe = contractModule("storage-probe");

const changedFrames = (instance: NodeInstance) =>
  ((instance.lastChanges[edgeStorage.name] as StorageChanges | undefined)?.writes ?? []).map(
    (write) => write.index,
  );

describe("SDK Storage on the production host", () => {
  it("hands an error result's writes back for commit, and they are dropped (node only: no host API shows what a call handed back)", async () => {
    const instance = new NodeInstance();
    const store = instance.hosts.store(edgeStorage);
    expect(await instance.run(probe, rolledBackBody)).toEqual({
      kind: "error",
      message: "rolled back after map 0, write 0",
    });
    // The call did change frame 0 (handed back for commit), and the error dropped it.
    expect(changedFrames(instance)).toEqual([0]);
    expect(store.stats()).toEqual({ size: 0, framesStored: 0, bytesStored: 0 });
    expect(store.size()).toBe(0);
  });
});
