// The edge_call imports' checks, before anything leaves the sandbox: a guest
// that cannot suspend (no JSPI) is answered DISCONNECTED, bad arguments get
// their status, and call_result_read bounds the guest's buffer.
import { describe, expect, it } from "vitest";
import { bindCall } from "../../../src/guest-abi/edge-call/call-imports.js";
import type { GuestCall } from "../../../src/guest-abi/guest-call.js";
import { GuestMemory } from "../../../src/guest-abi/guest-memory.js";
import { ExecutionBlocks } from "../../../src/guest-abi/shm/execution-blocks.js";
import { MAX_CALL_BYTES } from "../../../src/limits.js";
import { UNMETERED } from "../../../src/metering/fuel-meter.js";
import { HostStatus } from "../../../src/protocol/host-status.js";

function bound(jspi: boolean) {
  const memory = new GuestMemory(new WebAssembly.Memory({ initial: 1 }), 65536);
  let checkpoints = 0;
  let blocks: ExecutionBlocks | undefined;
  const call: GuestCall = {
    memory: () => memory,
    inputs: () => {
      throw new Error("no inputs here");
    },
    blocks: () => (blocks ??= new ExecutionBlocks(() => memory)),
    log: () => {},
    now: () => new Date(0),
    jspi,
    localPorts: true,
    meter: UNMETERED,
    checkpoint: () => {
      checkpoints++;
      return {};
    },
    refresh: async () => {},
  };
  const port = {
    call: () => {
      throw new Error("nothing may leave");
    },
  };
  const imports = bindCall(call, port).imports as Record<string, (...args: number[]) => number>;
  return { imports, checkpoints: () => checkpoints };
}

describe("edge_call without JSPI", () => {
  it("checks its arguments, then answers DISCONNECTED without writing anything back", () => {
    const { imports, checkpoints } = bound(false);
    const call = imports.call as (id: number, ptr: number, len: number) => number;
    expect(call(0, 64, -1)).toBe(HostStatus.INVALID_ARGUMENT);
    expect(call(0, 64, MAX_CALL_BYTES + 1)).toBe(HostStatus.CALL_LIMIT);
    expect(call(65536 - 16, 0, 0)).toBe(HostStatus.OUT_OF_BOUNDS);
    expect(call(0, 65000, 1000)).toBe(HostStatus.OUT_OF_BOUNDS);
    expect(call(0, 64, 8)).toBe(HostStatus.DISCONNECTED);
    expect(checkpoints()).toBe(0);
  });

  it("has an empty answer before any call; call_result_read checks its buffer", () => {
    const { imports } = bound(false);
    expect(imports.call_result_size?.()).toBe(0);
    const read = imports.call_result_read as (ptr: number, offset: number, len: number) => number;
    expect(read(0, 0, 16)).toBe(0);
    expect(read(0, -1, 1)).toBe(HostStatus.INVALID_ARGUMENT);
    expect(read(0, 0, -1)).toBe(HostStatus.INVALID_ARGUMENT);
    expect(read(65536 - 8, 0, 16)).toBe(HostStatus.OUT_OF_BOUNDS);
  });
});
