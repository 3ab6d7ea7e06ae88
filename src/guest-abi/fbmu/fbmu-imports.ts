// The fbmu imports (README "Fabric memory", after grafos_std's FabricMem):
// every operation is a round trip to the instance's DO, so each import
// suspends through JSPI; a sandbox without JSPI cannot reach the fabric
// (DISCONNECTED). An in-process host's port answers synchronously and needs none.
import { MAX_FABRIC_TRANSFER_BYTES } from "../../limits.js";
import { HOST_COST, hostBytesCost } from "../../metering/fuel-costs.js";
import type { GuestBinding, GuestCall, HostFunction } from "../guest-call.js";
import { HostStatus } from "../../protocol/host-status.js";
import { LEASE_ID_BYTES, LEASE_INFO_BYTES } from "../../protocol/lease-info-codec.js";
import type { LeasePort } from "../../protocol/lease-port.js";

// Lease durations above this are clamped before the port refuses them by LEASE_MAX_SECS.
const SECS_CLAMP = 10n ** 9n;

type Maybe<T> = T | PromiseLike<T>;

/** Whether an answer is still on its way (an RPC answer is a thenable, not always a Promise). */
function pending<T>(value: Maybe<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** `next` on a value that may still be on its way; stays synchronous when it is not. */
function then<T, R>(value: Maybe<T>, next: (settled: T) => Maybe<R>): Maybe<R> | Promise<R> {
  return pending(value) ? Promise.resolve(value).then(next) : next(value);
}

const transferable = (offset: bigint, len: number) => offset >= 0n && len <= MAX_FABRIC_TRANSFER_BYTES;
const clampSecs = (secs: bigint) => Number(secs > SECS_CLAMP ? SECS_CLAMP : secs);

const DISCONNECTED = HostStatus.DISCONNECTED;
const no = () => DISCONNECTED;
const noBig = () => BigInt(DISCONNECTED);

/** Every import answering DISCONNECTED (no fabric for this call, or no way to wait for it). */
const disconnected: Record<string, HostFunction> = {
  fbmu_hello: no,
  fbmu_get_arena_size: noBig,
  fbmu_read: no,
  fbmu_write: no,
  fbmu_alloc: no,
  fbmu_query: no,
  fbmu_renew: noBig,
  fbmu_free: no,
  fbmu_read_lease: no,
  fbmu_write_lease: no,
};

export function bindFabric(call: GuestCall, port: LeasePort | undefined): GuestBinding<never> {
  if (!port || (!call.jspi && !call.localPorts)) return { imports: disconnected };
  return { imports: fbmuImports(call, port) };
}

function fbmuImports(call: GuestCall, port: LeasePort): Record<string, HostFunction> {
  // Every import here is a round trip to the DO; transfers also pay for their bytes.
  const roundTrip = <F extends (...args: never[]) => Maybe<number | bigint>>(fn: F): F => {
    const charged = ((...args: never[]) => {
      call.meter.charge(HOST_COST.durableCall);
      const answer = fn(...args);
      // JSPI suspends on a real Promise; an RPC answer is only a thenable.
      return pending(answer) ? Promise.resolve(answer) : answer;
    }) as F;
    return call.jspi ? (new WebAssembly.Suspending(charged) as never as F) : charged;
  };
  const transferCost = (len: number) => call.meter.charge(hostBytesCost(Math.max(0, len)));

  /** Guest memory [ptr, +len) or null when it lies outside memory. */
  const guest = (ptr: number, len: number): Uint8Array | null => {
    const start = ptr >>> 0;
    if (len < 0 || start + len > call.memory().size) return null;
    return call.memory().view(start, len, "fbmu buffer");
  };
  const idAt = (ptr: number) => guest(ptr, LEASE_ID_BYTES)?.slice() ?? null;

  /** `id` null: the default arena; `undefined`: the id lay outside memory. */
  const read = (id: Uint8Array | null | undefined, offset: bigint, ptr: number, len: number) => {
    transferCost(len);
    if (id === undefined || !guest(ptr, len)) return HostStatus.OUT_OF_BOUNDS;
    if (!transferable(offset, len)) return HostStatus.INVALID_ARGUMENT;
    return then(port.read(id, Number(offset), len), (answer) => {
      if (typeof answer === "number") return answer;
      call.memory().write(ptr >>> 0, answer, "fbmu read buffer");
      return answer.length;
    });
  };
  const write = (id: Uint8Array | null | undefined, offset: bigint, ptr: number, len: number) => {
    transferCost(len);
    const bytes = guest(ptr, len)?.slice();
    if (id === undefined || !bytes) return HostStatus.OUT_OF_BOUNDS;
    if (!transferable(offset, len)) return HostStatus.INVALID_ARGUMENT;
    return port.write(id, Number(offset), bytes);
  };
  const info = (answer: Maybe<Uint8Array | number>, outPtr: number) =>
    then(answer, (settled) => {
      if (typeof settled === "number") return settled;
      if (!guest(outPtr, LEASE_INFO_BYTES)) return HostStatus.OUT_OF_BOUNDS;
      call.memory().write(outPtr >>> 0, settled, "LeaseInfo");
      return HostStatus.OK;
    });
  const leaseAt = (idPtr: number) => idAt(idPtr) ?? undefined;

  return {
    fbmu_hello: () => HostStatus.OK,
    fbmu_get_arena_size: roundTrip(() => then(port.arenaSize(), BigInt)),
    fbmu_read: roundTrip((offset: bigint, ptr: number, len: number) => read(null, offset, ptr, len)),
    fbmu_write: roundTrip((offset: bigint, ptr: number, len: number) => write(null, offset, ptr, len)),
    fbmu_alloc: roundTrip((minBytes: bigint, leaseSecs: bigint, outPtr: number) => {
      if (minBytes <= 0n || leaseSecs < 1n || minBytes > BigInt(Number.MAX_SAFE_INTEGER))
        return HostStatus.INVALID_ARGUMENT;
      if (!guest(outPtr, LEASE_INFO_BYTES)) return HostStatus.OUT_OF_BOUNDS;
      return info(port.alloc(Number(minBytes), clampSecs(leaseSecs)), outPtr);
    }),
    fbmu_query: roundTrip((idPtr: number, outPtr: number) => {
      const id = idAt(idPtr);
      return id ? info(port.query(id), outPtr) : HostStatus.OUT_OF_BOUNDS;
    }),
    fbmu_renew: roundTrip((idPtr: number, secs: bigint) => {
      const id = idAt(idPtr);
      if (!id) return BigInt(HostStatus.OUT_OF_BOUNDS);
      if (secs < 1n) return BigInt(HostStatus.INVALID_ARGUMENT);
      return then(port.renew(id, clampSecs(secs)), BigInt);
    }),
    fbmu_free: roundTrip((idPtr: number) => {
      const id = idAt(idPtr);
      return id ? port.free(id) : HostStatus.OUT_OF_BOUNDS;
    }),
    fbmu_read_lease: roundTrip((idPtr: number, offset: bigint, ptr: number, len: number) =>
      read(leaseAt(idPtr), offset, ptr, len),
    ),
    fbmu_write_lease: roundTrip((idPtr: number, offset: bigint, ptr: number, len: number) =>
      write(leaseAt(idPtr), offset, ptr, len),
    ),
  };
}
