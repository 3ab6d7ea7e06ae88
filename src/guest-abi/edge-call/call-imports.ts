// The edge_call imports (README "Contract calls"): a synchronous call into
// another instance's `run`, as ewasm's EEI call/getResponseSize/getResponse.
// The guest suspends (JSPI) while its DO runs the callee tree; before the call
// leaves, every namespace writes back (storage_sync semantics) and after a
// success re-reads what the tree changed in this instance (re-entry).
import { HostStatus, type HostStatusCode } from "../../protocol/host-status.js";
import type { CallPort, CallReply } from "../../protocol/call-port.js";
import type { GuestBinding, GuestCall } from "../guest-call.js";
import { ID_BYTES } from "../../identity/ids.js";
import { MAX_CALL_BLOCKS, MAX_CALL_BYTES } from "../../limits.js";
import { HOST_COST, hostBytesCost } from "../../metering/fuel-costs.js";
import type { BlockPass, Sending } from "../shm/execution-blocks.js";

const EMPTY = new Uint8Array(0);

export function bindCall(call: GuestCall, port: CallPort | undefined): GuestBinding<never> {
  let answer: Uint8Array = EMPTY;

  /** The call's arguments, or the status that refuses them. */
  const check = (idPtr: number, inputPtr: number, inputLen: number): HostStatusCode | null => {
    call.meter.charge(hostBytesCost(Math.max(0, inputLen)));
    answer = EMPTY;
    if (inputLen < 0) return HostStatus.INVALID_ARGUMENT;
    if (inputLen > MAX_CALL_BYTES) return HostStatus.CALL_LIMIT;
    const memory = call.memory();
    if (!memory.contains(idPtr >>> 0, ID_BYTES) || !memory.contains(inputPtr >>> 0, inputLen))
      return HostStatus.OUT_OF_BOUNDS;
    // A guest that cannot suspend cannot wait for a callee; without a port nothing leaves.
    return port && call.jspi ? null : HostStatus.DISCONNECTED;
  };

  const callInto = async (
    idPtr: number,
    inputPtr: number,
    inputLen: number,
    passes: readonly BlockPass[] = [],
  ): Promise<HostStatusCode> => {
    const refused = check(idPtr, inputPtr, inputLen);
    if (refused !== null || !port) return refused ?? HostStatus.DISCONNECTED;
    const memory = call.memory();
    const callee = memory.read(idPtr >>> 0, ID_BYTES, "callee id");
    const input = memory.read(inputPtr >>> 0, inputLen, "call input");
    let sending: Sending | undefined;
    if (passes.length > 0) {
      const sent = call.blocks().send(passes);
      if (typeof sent === "number") return sent;
      sending = sent;
      call.meter.charge(hostBytesCost(sent.passed.reduce((sum, block) => sum + block.bytes.length, 0)));
    }
    // The DO answers every failure of the callee tree as a status; if it throws, the caller's own
    // write-back may not have been staged, so the caller must not go on: the throw fails its run.
    const reply: CallReply = await port.call({
      callee,
      input,
      flushed: call.checkpoint(),
      fuel: call.meter.remaining(),
      ...(sending ? { blocks: sending.passed } : {}),
    });
    // The callee tree's fuel is the caller's: overdrawn, the caller stops at its next fuel check.
    call.meter.spend(reply.fuel);
    answer = reply.output;
    sending?.settle(reply.status === HostStatus.OK, reply.blocks);
    if (reply.status === HostStatus.OK) await call.refresh(reply.refresh);
    return reply.status;
  };

  /** The (handle, mode) pairs of call_blocks, or the status that refuses them. */
  const passesAt = (ptr: number, count: number): BlockPass[] | HostStatusCode => {
    if (count < 0) return HostStatus.INVALID_ARGUMENT;
    if (count > MAX_CALL_BLOCKS) return HostStatus.CALL_LIMIT;
    if (!call.memory().contains(ptr >>> 0, count * 8)) return HostStatus.OUT_OF_BOUNDS;
    const passes: BlockPass[] = [];
    for (let index = 0; index < count; index++) {
      const handle = call.memory().u32((ptr >>> 0) + index * 8, "block handle");
      const mode = call.memory().u32((ptr >>> 0) + index * 8 + 4, "block mode");
      if (mode > 1) return HostStatus.INVALID_ARGUMENT;
      passes.push({ handle, mode: mode === 0 ? "borrow" : "transfer" });
    }
    return passes;
  };

  const callWithBlocks = async (
    idPtr: number,
    inputPtr: number,
    inputLen: number,
    blocksPtr: number,
    count: number,
  ): Promise<HostStatusCode> => {
    call.meter.charge(HOST_COST.call);
    const passes = passesAt(blocksPtr, count);
    if (typeof passes === "number") return passes;
    return callInto(idPtr, inputPtr, inputLen, passes);
  };

  return {
    imports: {
      call: call.jspi
        ? (new WebAssembly.Suspending(callInto) as never)
        : (idPtr: number, inputPtr: number, inputLen: number) =>
            check(idPtr, inputPtr, inputLen) ?? HostStatus.DISCONNECTED,
      call_blocks: call.jspi
        ? (new WebAssembly.Suspending(callWithBlocks) as never)
        : (idPtr: number, inputPtr: number, inputLen: number, blocksPtr: number, count: number) => {
            const passes = passesAt(blocksPtr, count);
            if (typeof passes === "number") return passes;
            return check(idPtr, inputPtr, inputLen) ?? HostStatus.DISCONNECTED;
          },
      call_block: (index: number): number => {
        call.meter.charge(HOST_COST.call);
        return index < 0 ? HostStatus.INVALID_ARGUMENT : call.blocks().receivedHandle(index);
      },
      call_result_size: (): number => {
        call.meter.charge(HOST_COST.call);
        return answer.length;
      },
      call_result_read: (ptr: number, offset: number, len: number): number => {
        call.meter.charge(hostBytesCost(Math.max(0, len)));
        if (offset < 0 || len < 0) return HostStatus.INVALID_ARGUMENT;
        // The whole buffer the guest names must be its own, however much of the answer is left.
        if (!call.memory().contains(ptr >>> 0, len)) return HostStatus.OUT_OF_BOUNDS;
        const bytes = answer.subarray(Math.min(offset, answer.length), Math.min(offset + len, answer.length));
        call.memory().write(ptr >>> 0, bytes, "call result");
        return bytes.length;
      },
    },
  };
}
