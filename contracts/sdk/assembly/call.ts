// Contract-to-contract calls (the edge_call host namespace): a contract runs
// another instance's generic `run` entry and is suspended until it answers.
// All the instances a transaction reaches commit together or not at all: a
// failed call discards everything the callee's subtree changed, in every
// instance, and the caller carries on with the failure status. Before a call
// the host writes back the caller's mapped storage; after a successful call
// it re-reads any of the caller's frames the callee tree changed (a
// re-entrant callee can write them), mapped memory included. A contract is
// re-entered only if it exports `edge_reentrant` (no params, no results,
// never called). Only the imports a contract actually calls end up in its
// module, so importing this file costs nothing until it is used.
//
// A call can also pass memory blocks (shm.ts, docs/memory-blocks.md): lent
// (BORROW: the caller gets the bytes back as the callee left them, if its
// call succeeds) or handed over (TRANSFER: the caller's handle ends with the
// call; a failed call gives it back). The callee finds them with passedBlock.
import { Output } from "./output";

/** Instance ids are 32 raw bytes (the digest the HTTP API spells in base58). */
export const INSTANCE_ID_BYTES: u32 = 32;

/** Host status codes (the table every host namespace shares): 0 is success, failures are negative. */
export const enum CallStatus {
  OK = 0,
  /** A negative offset or length. */
  INVALID_ARGUMENT = -1,
  /** The guest memory range lies outside memory. */
  OUT_OF_BOUNDS = -2,
  /** No call port: this sandbox cannot suspend, so it cannot call. */
  DISCONNECTED = -7,
  /** No instance has that id. */
  NOT_FOUND = -11,
  CALLEE_TRAPPED = -12,
  /** The callee's run answered an error; the answer is its UTF-8 message. */
  CALLEE_REFUSED = -13,
  CALLEE_OUT_OF_FUEL = -14,
  /** The callee is already on the call stack and does not export edge_reentrant. */
  REENTRANCY_REFUSED = -15,
  CALL_DEPTH_EXCEEDED = -16,
  /** Another transaction holds the callee; retryable. */
  CONFLICT = -17,
  /** Too many calls in the transaction, or the input or the answer is over the size limit. */
  CALL_LIMIT = -18,
  /** The callee has no run entry, or is a component. */
  CALLEE_UNSUPPORTED = -19,
  /** A block passed to the call is attached. */
  BUSY = -20,
}

/** How a call passes a block (the mode of each (handle, mode) pair). */
export const enum BlockMode {
  /** Lent for the call; the caller keeps its handle. */
  BORROW = 0,
  /** Handed over: the caller's handle ends with the call. */
  TRANSFER = 1,
}

/** One (handle u32, mode u32) pair of call_blocks' block list. */
export const CALL_BLOCK_PAIR_BYTES: u32 = 8;

// The local names differ from the imports' so Call.call can keep its own.
// @ts-ignore: decorator
@external("edge_call", "call")
declare function host_call(idPtr: usize, inputPtr: usize, inputLen: u32): i32;

// @ts-ignore: decorator
@external("edge_call", "call_blocks")
declare function host_call_blocks(idPtr: usize, inputPtr: usize, inputLen: u32, blocksPtr: usize, blocksCount: u32): i32;

// @ts-ignore: decorator
@external("edge_call", "call_block")
declare function host_call_block(index: u32): i32;

// @ts-ignore: decorator
@external("edge_call", "call_result_size")
declare function host_call_result_size(): i32;

// @ts-ignore: decorator
@external("edge_call", "call_result_read")
declare function host_call_result_read(ptr: usize, offset: i32, len: i32): i32;

/** A call's status and its whole answer. */
export class CallResult {
  constructor(
    /** A CallStatus. */
    public status: i32,
    /** The callee's run output on OK, its error message on CALLEE_REFUSED, else empty. */
    public bytes: Uint8Array,
  ) {}
}

/** The last call's whole answer, with its status. */
function answer(status: i32): CallResult {
  const size = host_call_result_size();
  const bytes = new Uint8Array(size);
  let done: i32 = 0;
  // The ABI allows short copies, so read until the answer is complete.
  while (done < size) {
    const n = host_call_result_read(bytes.dataStart + <usize>done, done, size - done);
    if (n <= 0) break;
    done += n;
  }
  return new CallResult(status, done == size ? bytes : bytes.subarray(0, done));
}

export namespace Call {
  /**
   * Runs the `run` entry of the instance whose 32-byte id is at `id` with the
   * `len` bytes at `input`; 0 or a negative CallStatus. The answer stays with
   * the host until the next call: see resultSize and readResult.
   */
  export function invoke(id: usize, input: usize, len: u32): i32 {
    return host_call(id, input, len);
  }

  /** Byte length of the last call's answer (0 before any call). */
  export function resultSize(): i32 {
    return host_call_result_size();
  }

  /**
   * Copies up to `len` bytes of the last answer from `offset` to memory at
   * `ptr`; bytes copied (0 at or past the end) or INVALID_ARGUMENT / OUT_OF_BOUNDS.
   */
  export function readResult(ptr: usize, offset: i32, len: i32): i32 {
    return host_call_result_read(ptr, offset, len);
  }

  /**
   * Appends the last call's answer to `out` as [size u32][bytes]; null, or
   * what call_result_read answered if it could not copy all of it.
   */
  export function appendResult(out: Output): string | null {
    const size = resultSize();
    out.u32(<u32>size);
    const mark = out.len;
    out.reserve(<u32>size);
    let done: i32 = 0;
    while (done < size) {
      const n = readResult(out.ptr + <usize>mark + <usize>done, done, size - done);
      if (n <= 0) {
        return "call_result_read answered " + n.toString() + " at offset " + done.toString() + " of " + size.toString();
      }
      done += n;
    }
    return null;
  }

  /** invoke, then the whole answer copied out; an id of the wrong length is INVALID_ARGUMENT without a call. */
  export function call(id: Uint8Array, input: Uint8Array): CallResult {
    if (<u32>id.length != INSTANCE_ID_BYTES) return new CallResult(CallStatus.INVALID_ARGUMENT, new Uint8Array(0));
    return answer(invoke(id.dataStart, input.dataStart, <u32>input.length));
  }

  /**
   * invoke, passing the blocks listed at `blocks`: `count` pairs of u32
   * (handle, BlockMode), as call_blocks takes them. At most 16 blocks and
   * 16 MiB per call (CALL_LIMIT); an attached block is BUSY; the same block
   * twice, or a transfer of a block that has other handles or is itself
   * borrowed, is INVALID_ARGUMENT.
   */
  export function invokeWithBlocksRaw(id: usize, input: usize, len: u32, blocks: usize, count: u32): i32 {
    return host_call_blocks(id, input, len, blocks, count);
  }

  /** invokeWithBlocksRaw with the block list as handles[i] passed in modes[i]; lists of different lengths are INVALID_ARGUMENT without a call. */
  export function invokeWithBlocks(id: usize, input: usize, len: u32, handles: i32[], modes: i32[]): i32 {
    if (handles.length != modes.length) return CallStatus.INVALID_ARGUMENT;
    const count = <u32>handles.length;
    const pairs = heap.alloc(<usize>count * CALL_BLOCK_PAIR_BYTES);
    for (let i: u32 = 0; i < count; i++) {
      const at = pairs + <usize>i * CALL_BLOCK_PAIR_BYTES;
      store<i32>(at, unchecked(handles[i]));
      store<i32>(at, unchecked(modes[i]), 4);
    }
    const status = host_call_blocks(id, input, len, pairs, count);
    heap.free(pairs);
    return status;
  }

  /** invokeWithBlocks, then the whole answer copied out, as `call` does. */
  export function callWithBlocks(id: Uint8Array, input: Uint8Array, handles: i32[], modes: i32[]): CallResult {
    if (<u32>id.length != INSTANCE_ID_BYTES) return new CallResult(CallStatus.INVALID_ARGUMENT, new Uint8Array(0));
    return answer(invokeWithBlocks(id.dataStart, input.dataStart, <u32>input.length, handles, modes));
  }

  /**
   * In a callee: the handle (in this execution) of the `index`-th block its
   * caller passed, or NOT_FOUND. A read-only handle came in read only.
   */
  export function passedBlock(index: u32): i32 {
    return host_call_block(index);
  }

  /** "CONFLICT (-17)" and the like, for error messages. */
  export function statusName(status: i32): string {
    let name: string;
    switch (status) {
      case CallStatus.OK: name = "OK"; break;
      case CallStatus.INVALID_ARGUMENT: name = "INVALID_ARGUMENT"; break;
      case CallStatus.OUT_OF_BOUNDS: name = "OUT_OF_BOUNDS"; break;
      case CallStatus.DISCONNECTED: name = "DISCONNECTED"; break;
      case CallStatus.NOT_FOUND: name = "NOT_FOUND"; break;
      case CallStatus.CALLEE_TRAPPED: name = "CALLEE_TRAPPED"; break;
      case CallStatus.CALLEE_REFUSED: name = "CALLEE_REFUSED"; break;
      case CallStatus.CALLEE_OUT_OF_FUEL: name = "CALLEE_OUT_OF_FUEL"; break;
      case CallStatus.REENTRANCY_REFUSED: name = "REENTRANCY_REFUSED"; break;
      case CallStatus.CALL_DEPTH_EXCEEDED: name = "CALL_DEPTH_EXCEEDED"; break;
      case CallStatus.CONFLICT: name = "CONFLICT"; break;
      case CallStatus.CALL_LIMIT: name = "CALL_LIMIT"; break;
      case CallStatus.CALLEE_UNSUPPORTED: name = "CALLEE_UNSUPPORTED"; break;
      case CallStatus.BUSY: name = "BUSY"; break;
      default: name = "status";
    }
    return name + " (" + status.toString() + ")";
  }
}
