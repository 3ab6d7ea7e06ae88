// The work-journal example's protocol (contracts/examples/work-journal/README.md)
// for the conformance suites: requests, answers, and the accumulator a journal
// of n steps must end with.
import { expect } from "vitest";
import { concat, i32At, u32At, u32s, u64At } from "./guest-bytes.js";

export const startBody = (steps: number, leaseSecs: number, crashAfter = 0) =>
  concat(Uint8Array.of(1), u32s(steps, leaseSecs, crashAfter));
export const resumeBody = (id: Uint8Array, steps: number, crashAfter = 0) =>
  concat(Uint8Array.of(2), id, u32s(steps, crashAfter));
export const statusBody = (id: Uint8Array) => concat(Uint8Array.of(3), id);
export const freeBody = (id: Uint8Array) => concat(Uint8Array.of(4), id);

/** The journal's header: magic "JRNL", steps done, accumulator. */
export const JOURNAL_MAGIC = 0x4c4e524a;
export const HEADER_BYTES = 16;
export const RECORD_BYTES = 12;

/** The steps whose journal fills exactly `bytes` (a lease of that size holds no more). */
export const stepsFilling = (bytes: number) => Math.floor((bytes - HEADER_BYTES) / RECORD_BYTES);

const MASK = (1n << 64n) - 1n;

/** The accumulator after `steps` steps: FNV-1a 64 over splitmix64's finaliser of i + 1. */
export function expectedAcc(steps: number): bigint {
  let acc = 0xcbf29ce484222325n;
  for (let i = 0; i < steps; i++) {
    let z = ((BigInt(i) + 1n) * 0x9e3779b97f4a7c15n) & MASK;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    acc = ((acc ^ (z ^ (z >> 31n))) * 0x100000001b3n) & MASK;
  }
  return acc;
}

/** A start or resume answer: [lease id: 16][steps u32][acc u64]. */
export function progressOf(body: Uint8Array) {
  expect(body.length).toBe(28);
  return { id: body.slice(0, 16), steps: u32At(body, 16), acc: u64At(body, 20) };
}

/** A status answer: [LeaseInfo status u8][steps u32][acc u64] (steps and acc 0 unless the lease is Active). */
export function statusOf(body: Uint8Array) {
  expect(body.length).toBe(13);
  return { status: body[0], steps: u32At(body, 1), acc: u64At(body, 5) };
}

/** A free answer: fbmu_free's status as i32. */
export function freeStatusOf(body: Uint8Array): number {
  expect(body.length).toBe(4);
  return i32At(body, 0);
}

/** The journal header as the lease holds it. */
export function headerOf(bytes: Uint8Array) {
  return { magic: u32At(bytes, 0), steps: u32At(bytes, 4), acc: u64At(bytes, 8) };
}
