// What the fbmu conformance suite cannot see of the fabric probe
// (contracts/examples/work-journal/assembly/probe/fabric-probe.ts, the build's
// build/contracts/fabric-probe.wasm): a freed lease's frames, which no host API
// reads, and a call whose fbmu port is withheld, which no conformance host
// makes. What each SDK call answers is checked on every host by
// test/support/conformance/fbmu.case.test.ts.
import { describe, expect, it } from "vitest";
import { fbmu } from "../../../src/namespaces/fbmu.js";
import { HostStatus } from "../../../src/protocol/host-status.js";
import { LeaseTables } from "../../../src/store/leases/lease-tables.js";
import {
  PROBE_BYTES,
  quotaAnswer,
  quotaBody,
  walkAnswer,
  walkBody,
} from "../../support/conformance/fabric-probe-requests.js";
import { NodeInstance, type InstanceOutcome } from "../support/node-instance.js";
import { contractModule } from "../support/wasm.js";

const probe = contractModule("fabric-probe");

function okBody(outcome: InstanceOutcome): Uint8Array {
  if (outcome.kind !== "ok") throw new Error(`expected RUN_OK, got ${JSON.stringify(outcome)}`);
  return outcome.body;
}

describe("SDK fabric memory on the production host", () => {
  it("a freed lease's frames keep what MemLease wrote until the alarm reclaims them (node only: no host API reads a revoked lease)", async () => {
    const instance = new NodeInstance();
    const { id } = walkAnswer(okBody(await instance.run(probe, walkBody)));
    expect(instance.hosts.store(fbmu).get(id).status).toBe("revoked");
    const tables = new LeaseTables(instance.sql);
    expect(tables.frame(id, 0)?.subarray(65_528)).toEqual(PROBE_BYTES);
    instance.alarm();
    expect(tables.frame(id, 0)).toBeNull();
  });

  it("answers DISCONNECTED when the fbmu port is withheld (node only: every conformance host gives the port)", async () => {
    const instance = new NodeInstance();
    // No fbmu port for the call: the sandbox half binds every import to DISCONNECTED.
    const outcome = await instance.run(probe, quotaBody(16 << 20, 60), { without: [fbmu.name] });
    expect(quotaAnswer(okBody(outcome))).toEqual({ count: 0, status: HostStatus.DISCONNECTED });
    expect(instance.hosts.store(fbmu).list()).toEqual([]);
  });
});
