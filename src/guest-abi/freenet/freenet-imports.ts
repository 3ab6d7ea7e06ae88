// Host functions of the freenet_* namespaces, bound to one call's guest.
import { EdgeError } from "../../errors.js";
import type { GuestMemory } from "../guest-memory.js";
import { toPointer } from "../guest-memory.js";
import type { InputBuffers } from "./input-buffers.js";
import { HOST_COST, hostBytesCost } from "../../metering/fuel-costs.js";
import { MAX_LOG_LINE_BYTES } from "../../limits.js";
import type { HostMeter } from "../../metering/fuel-meter.js";

export interface FreenetCallContext {
  memory(): GuestMemory;
  inputs(): InputBuffers;
  log(message: string): void;
  now(): Date;
  /** Refills may suspend the guest (JSPI); otherwise every input must be synchronous. */
  jspi: boolean;
  /** Charges each call its fuel (fuel-costs.ts). */
  meter: HostMeter;
}

// crypto.getRandomValues refuses more than 64 KiB per call.
const RANDOM_CHUNK = 65536;

type HostFunction = (...args: never[]) => unknown;

export function freenetImports(ctx: FreenetCallContext): Record<string, Record<string, HostFunction>> {
  // A refill costs the call up front and its bytes once they are known.
  const fill = (bufPtr: bigint): number | Promise<number> => {
    ctx.meter.charge(HOST_COST.call);
    const count = ctx.inputs().fill(bufPtr);
    const charged = (n: number) => {
      ctx.meter.charge(hostBytesCost(n) - HOST_COST.call);
      return n;
    };
    return typeof count === "number" ? charged(count) : count.then(charged);
  };
  return {
    freenet_contract_io: {
      __frnt__fill_buffer: ctx.jspi
        ? (new WebAssembly.Suspending((_id: bigint, bufPtr: bigint) => fill(bufPtr)) as never)
        : (_id: bigint, bufPtr: bigint) => {
            const count = fill(bufPtr);
            // Without JSPI a promise would reach the guest as 0: a silent end of data.
            if (typeof count !== "number") {
              throw new EdgeError("INTERNAL", "an asynchronous input needs JSPI; prefetch it");
            }
            return count;
          },
    },
    freenet_log: {
      __frnt__logger__info: (_id: bigint, ptr: bigint, len: number) => {
        ctx.meter.charge(hostBytesCost(Math.min(len >>> 0, MAX_LOG_LINE_BYTES)));
        const bytes = ctx
          .memory()
          .view(toPointer(ptr, "log message"), Math.min(len >>> 0, MAX_LOG_LINE_BYTES), "log message");
        ctx.log(new TextDecoder().decode(bytes));
      },
    },
    freenet_rand: {
      __frnt__rand__rand_bytes: (_id: bigint, ptr: bigint, len: number) => {
        const start = toPointer(ptr, "random buffer");
        const total = len >>> 0;
        ctx.meter.charge(hostBytesCost(total));
        for (let at = 0; at < total; at += RANDOM_CHUNK) {
          const chunk = new Uint8Array(Math.min(RANDOM_CHUNK, total - at));
          crypto.getRandomValues(chunk);
          ctx.memory().write(start + at, chunk, "random buffer");
        }
      },
    },
    freenet_time: {
      __frnt__time__utc_now: (_id: bigint, ptr: bigint) => {
        ctx.meter.charge(HOST_COST.call);
        ctx.memory().write(toPointer(ptr, "time buffer"), chronoUtc(ctx.now()), "time buffer");
      },
    },
  };
}

/**
 * chrono 0.4's in-memory DateTime<Utc> as freenet-core writes it: NaiveDate's
 * packed `yof` (year << 13 | ordinal << 4 | flags), seconds since midnight,
 * nanoseconds. chrono does not promise this layout; freenet-core relies on it too.
 */
export function chronoUtc(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  const startOfYear = Date.UTC(year, 0, 1);
  const ordinal = Math.floor((date.getTime() - startOfYear) / 86_400_000) + 1;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  // Weekday of Dec 31 of the previous year, Tue=1 .. Mon=7 (chrono's YearFlags).
  const dec31 = new Date(Date.UTC(year - 1, 11, 31)).getUTCDay();
  const weekdayCode = ((dec31 + 5) % 7) + 1;
  const flags = (leap ? 0 : 8) | weekdayCode;
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setInt32(0, (year << 13) | (ordinal << 4) | flags, true);
  const midnight = Date.UTC(year, date.getUTCMonth(), date.getUTCDate());
  view.setUint32(4, Math.floor((date.getTime() - midnight) / 1000), true);
  view.setUint32(8, (date.getTime() % 1000) * 1_000_000, true);
  return out;
}
