// The storage probe's protocol (contracts/examples/hash-map/assembly/probe/storage-probe.ts,
// build/contracts/storage-probe.wasm) for the edge_storage suite: its
// scenario requests, and scenario 1's answer named call by call.
import { expect } from "vitest";
import { concat, i32At, i64At, u64s } from "./guest-bytes.js";

/** Scenario 1's first mapping: [65,500, 65,600), across the boundary of frames 0 and 1. */
export const MAPPED_AT = 65_500;
export const MAPPED_BYTES = 100;
/** Scenario 1's second mapping, adjacent to the first in storage: 10 bytes of 0xaa written back by unmap. */
export const ADJACENT_AT = MAPPED_AT + MAPPED_BYTES;

/** Scenario 1: maps, syncs, overlaps, unmaps and refusals; its last write fills the space's last 4 bytes. */
export const mappingsBody = (storageLimitBytes: number) => concat(Uint8Array.of(1), u64s(storageLimitBytes));
/** Scenario 2: a map and a write, then RUN_ERROR "rolled back after map <status>, write <status>". */
export const rolledBackBody = Uint8Array.of(2);

/** Scenario 1's answer: statuses (i32) and sizes (i64) in call order, the whole body. */
export function mappingsAnswer(body: Uint8Array) {
  let at = 0;
  const i32 = () => ((at += 4), i32At(body, at - 4));
  const i64 = () => ((at += 8), i64At(body, at - 8));
  // Properties evaluate in order, so each reads the next value.
  const answer = {
    /** storage_map of [65,500, +100), straddling frames 0 and 1. */
    map: i32(),
    /** 1 when the mapped memory read as zeros. */
    zeroFilled: i32(),
    /** storage_size after the guest wrote 1..100 into the mapping, before any sync. */
    sizeBeforeSync: i64(),
    sync: i32(),
    sizeAfterSync: i64(),
    /** Maps overlapping the first: the same memory start, inside its memory, inside its storage. */
    overlaps: [i32(), i32(), i32()],
    /** A map adjacent to the first in memory and in storage, at 65,600. */
    adjacentMap: i32(),
    /** unmap of the adjacent mapping (written back), then again. */
    unmaps: [i32(), i32()],
    /** storage_read of [65,500, +100) into other memory. */
    read: i32(),
    /** 1 when that read saw the synced bytes. */
    readSeesSync: i32(),
    /** storage_read with length -1, past the storage limit, past guest memory. */
    refusals: [i32(), i32(), i32()],
    /** storage_write of 4 bytes (those the read got: 1, 2, 3, 4) at limit - 4. */
    lastWrite: i32(),
    sizeAtEnd: i64(),
  };
  expect(at).toBe(body.length);
  return answer;
}
