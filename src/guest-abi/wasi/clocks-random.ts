// wasi:clocks and wasi:random, deterministic so a replayed call sees what the
// first run saw: the wall clock is the commit time of the instance's current
// version; the monotonic clock is the fuel spent so far, one unit a
// nanosecond (it advances with the guest's work, never with real time);
// randomness is BLAKE3 in keyed XOF mode, keyed by the instance id and the
// version, one output per request counter. Nothing here is secret from
// someone who knows the instance: contracts must not use it for keys.
import { blake3 } from "@noble/hashes/blake3.js";
import { hostBytesCost } from "../../metering/fuel-costs.js";
import type { HostMeter } from "../../metering/fuel-meter.js";
import type { Datetime } from "./volume.js";
import { Pollable } from "./streams.js";

/** Most bytes one random request answers (larger asks trap: no honest guest needs them). */
const MAX_RANDOM_BYTES = 1024 * 1024;
const UTF8 = new TextEncoder();

export interface ClockRandomOptions {
  instanceId: Uint8Array;
  version: number;
  committedAtMs: number;
  fuelUsed: () => number;
  meter: HostMeter;
}

function u64(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  return bytes;
}

/** One deterministic byte generator per purpose ("random", "insecure"). */
class Generator {
  readonly #key: Uint8Array;
  #counter = 0;

  constructor(options: ClockRandomOptions, purpose: string) {
    this.#key = blake3
      .create({ dkLen: 32 })
      .update(UTF8.encode(`edge-contracts wasi ${purpose} v1`))
      .update(options.instanceId)
      .update(u64(options.version))
      .digest();
  }

  bytes(length: number): Uint8Array {
    if (length > MAX_RANDOM_BYTES)
      throw new RangeError(`random request of ${length} bytes (at most ${MAX_RANDOM_BYTES})`);
    return blake3(u64(this.#counter++), { key: this.#key, dkLen: length });
  }

  u64(): bigint {
    return new DataView(this.bytes(8).buffer).getBigUint64(0, true);
  }
}

export function clockAndRandomImports(options: ClockRandomOptions): Record<string, Record<string, unknown>> {
  const wall: Datetime = {
    seconds: BigInt(Math.floor(options.committedAtMs / 1000)),
    nanoseconds: (options.committedAtMs % 1000) * 1_000_000,
  };
  const secure = new Generator(options, "random");
  const insecure = new Generator(options, "insecure");
  const seed = new Generator(options, "insecure-seed");
  const charged = (length: bigint) => {
    const n = Number(length);
    options.meter.charge(hostBytesCost(n));
    return n;
  };
  return {
    "wasi:clocks/wall-clock": {
      now: (): Datetime => ({ ...wall }),
      resolution: (): Datetime => ({ seconds: 0n, nanoseconds: 1_000_000 }),
    },
    "wasi:clocks/monotonic-clock": {
      now: (): bigint => BigInt(Math.max(0, Math.floor(options.fuelUsed()))),
      resolution: (): bigint => 1n,
      // Nothing waits here: a sleep returns at once (time is fuel, and waiting burns none).
      subscribeInstant: (_when: bigint) => new Pollable(),
      subscribeDuration: (_when: bigint) => new Pollable(),
    },
    "wasi:random/random": {
      getRandomBytes: (length: bigint) => secure.bytes(charged(length)),
      getRandomU64: () => secure.u64(),
    },
    "wasi:random/insecure": {
      getInsecureRandomBytes: (length: bigint) => insecure.bytes(charged(length)),
      getInsecureRandomU64: () => insecure.u64(),
    },
    "wasi:random/insecure-seed": {
      insecureSeed: (): [bigint, bigint] => [seed.u64(), seed.u64()],
    },
  };
}
