// The freenet_* host functions (freenet-stdlib's wasm host interface), bound
// to one call's guest: streaming refills, logging, randomness and time.
import { EdgeError } from "../../errors.js";
import { MAX_LOG_LINE_BYTES, RANDOM_CHUNK_BYTES } from "../../limits.js";
import { HOST_COST, hostBytesCost } from "../../metering/fuel-costs.js";
import type { GuestCall } from "../guest-call.js";
import { toPointer } from "../guest-memory.js";
import { chronoUtc } from "./chrono-utc.js";

/** freenet_contract_io: a refill costs the call up front and its bytes once they are known. */
export function contractIoImports(call: GuestCall) {
  const fill = (bufPtr: bigint): number | Promise<number> => {
    call.meter.charge(HOST_COST.call);
    const count = call.inputs().fill(bufPtr);
    const charged = (n: number) => {
      call.meter.charge(hostBytesCost(n) - HOST_COST.call);
      return n;
    };
    return typeof count === "number" ? charged(count) : count.then(charged);
  };
  return {
    __frnt__fill_buffer: call.jspi
      ? (new WebAssembly.Suspending((_id: bigint, bufPtr: bigint) => fill(bufPtr)) as never)
      : (_id: bigint, bufPtr: bigint) => {
          const count = fill(bufPtr);
          // Without JSPI a promise would reach the guest as 0: a silent end of data.
          if (typeof count !== "number") {
            throw new EdgeError("INTERNAL", "an asynchronous input needs JSPI; prefetch it");
          }
          return count;
        },
  };
}

/** freenet_log: lines are cut at MAX_LOG_LINE_BYTES; the call's LogBudget bounds the rest. */
export function logImports(call: GuestCall) {
  return {
    __frnt__logger__info: (_id: bigint, ptr: bigint, len: number) => {
      const length = Math.min(len >>> 0, MAX_LOG_LINE_BYTES);
      call.meter.charge(hostBytesCost(length));
      const bytes = call.memory().view(toPointer(ptr, "log message"), length, "log message");
      call.log(new TextDecoder().decode(bytes));
    },
  };
}

export function randImports(call: GuestCall) {
  return {
    __frnt__rand__rand_bytes: (_id: bigint, ptr: bigint, len: number) => {
      const start = toPointer(ptr, "random buffer");
      const total = len >>> 0;
      call.meter.charge(hostBytesCost(total));
      for (let at = 0; at < total; at += RANDOM_CHUNK_BYTES) {
        const chunk = new Uint8Array(Math.min(RANDOM_CHUNK_BYTES, total - at));
        crypto.getRandomValues(chunk);
        call.memory().write(start + at, chunk, "random buffer");
      }
    },
  };
}

export function timeImports(call: GuestCall) {
  return {
    __frnt__time__utc_now: (_id: bigint, ptr: bigint) => {
      call.meter.charge(HOST_COST.call);
      call.memory().write(toPointer(ptr, "time buffer"), chronoUtc(call.now()), "time buffer");
    },
  };
}
