import { describe, expect, it } from "vitest";
import { encodeRelatedContracts } from "../../../src/protocol/freenet-bincode.js";
import { runContract } from "../../../src/sandbox/contract-runner.js";
import { bytesInput } from "../../../src/guest-abi/input-source.js";
import { meterModule } from "../../../src/metering/meter-module.js";
import { COUNTER_VALIDATE_FUEL } from "../../support/fuel-vectors.js";
import { buildArtifact } from "../support/wasm.js";
import { u64le } from "../support/contracts.js";

describe("the same call uses the same fuel on every runtime", () => {
  it("node (no JSPI) charges the counter's validate_state exactly what workerd charges", async () => {
    const module = new WebAssembly.Module(meterModule(buildArtifact("contracts/counter.wasm")).bytes);
    const outcome = await runContract(
      module,
      {
        op: "validate_state",
        parameters: new TextEncoder().encode("golden-fuel"),
        state: bytesInput(u64le(40)),
        third: encodeRelatedContracts([]),
      },
      { jspi: false, memoryLimitBytes: 64 << 20, fuel: { limit: 1e9, slice: 1e6, depthLimit: 1500 } },
    );
    expect(outcome.fuel).toBe(COUNTER_VALIDATE_FUEL);
  });
});
