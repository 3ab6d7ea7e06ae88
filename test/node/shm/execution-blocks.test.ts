// Blocks passed with a call, on the callee's side: what goes back to the
// caller is the whole borrowed block, whatever the callee did with its handle.
import { describe, expect, it } from "vitest";
import { GuestMemory } from "../../../src/guest-abi/guest-memory.js";
import { ExecutionBlocks } from "../../../src/guest-abi/shm/execution-blocks.js";
import { ATTACH_WRITE } from "../../../src/guest-abi/shm/shm-abi.js";

describe("a callee's borrowed blocks", () => {
  it("go back whole and in place after the callee narrowed its handle to a window and wrote there", () => {
    const memory = new GuestMemory(new WebAssembly.Memory({ initial: 1 }), 65536);
    const blocks = new ExecutionBlocks(() => memory);
    const bytes = new Uint8Array(1024).fill(0xaa);
    blocks.receive([{ bytes, start: 0, end: 1024, mode: "borrow", readOnly: false }]);
    const handle = blocks.receivedHandle(0);
    blocks.table.createPartition(handle, 512, 512, ATTACH_WRITE);
    expect(blocks.table.addStorage(4096, 512)).toBeNull();
    const attached = blocks.table.attach(handle, ATTACH_WRITE);
    expect(attached).toEqual({ area: { addr: 4096, size: 512 } });
    memory.write(4096, new Uint8Array(512).fill(0x11), "area");
    blocks.table.detach(handle, 512);
    blocks.table.drop(handle);
    const [back] = blocks.returned() ?? [];
    expect(back?.start).toBe(0);
    expect(back?.end).toBe(1024);
    expect(back?.bytes.length).toBe(1024);
    expect([back?.bytes[0], back?.bytes[511], back?.bytes[512], back?.bytes[1023]]).toEqual([
      0xaa, 0xaa, 0x11, 0x11,
    ]);
  });

  it("a transferred block does not go back, and the caller's list says so", () => {
    const memory = new GuestMemory(new WebAssembly.Memory({ initial: 1 }), 65536);
    const blocks = new ExecutionBlocks(() => memory);
    const one = { bytes: new Uint8Array(4), start: 0, end: 4, readOnly: false };
    blocks.receive([
      { ...one, mode: "transfer" },
      { ...one, mode: "borrow" },
    ]);
    expect(blocks.returned()?.map((block) => block?.end ?? null)).toEqual([null, 4]);
  });
});
