// The fbmu namespace (SPEC section 7, after grafos_std's FabricMem): every
// operation is a round trip to the instance's DO, so each import suspends
// through JSPI; without JSPI the fabric is unreachable (DISCONNECTED).
import { HostStatus } from "../../protocol/host-status.js";
import type { GuestMemory } from "../guest-memory.js";
import { LEASE_INFO_BYTES } from "../../protocol/lease-info-codec.js";
import { DEFAULT_ARENA_ID, LEASE_ID_BYTES } from "../../store/leases/lease-store.js";
import type { LeasePort } from "../../protocol/lease-port.js";
import { HOST_COST, hostBytesCost } from "../../metering/fuel-costs.js";
import type { HostMeter } from "../../metering/fuel-meter.js";

export interface FbmuContext {
  memory(): GuestMemory;
  /** Absent for calls that get no fabric (then every import answers DISCONNECTED). */
  leases: LeasePort | undefined;
  jspi: boolean;
  /** Charges each call its fuel (fuel-costs.ts): a Durable Object round trip plus the bytes moved. */
  meter: HostMeter;
}

// One read or write moves at most this much; larger transfers take several calls.
const MAX_TRANSFER_BYTES = 16 * 1024 * 1024;

type Answer = number | bigint | Promise<number | bigint>;

const DISCONNECTED = BigInt(HostStatus.DISCONNECTED);

const no = () => HostStatus.DISCONNECTED;

/** Every fbmu import answering DISCONNECTED, synchronously (no JSPI, or no fabric for this call). */
function disconnected(): Record<string, (...args: never[]) => unknown> {
  return {
    fbmu_hello: no,
    fbmu_get_arena_size: () => DISCONNECTED,
    fbmu_read: no,
    fbmu_write: no,
    fbmu_alloc: no,
    fbmu_query: no,
    fbmu_renew: () => DISCONNECTED,
    fbmu_free: no,
    fbmu_read_lease: no,
    fbmu_write_lease: no,
  };
}

export function fbmuImports(ctx: FbmuContext): Record<string, (...args: never[]) => unknown> {
  const port = ctx.leases;
  if (!ctx.jspi || !port) return disconnected();
  // Every import here is a round trip to the DO; transfers also pay for their bytes.
  const suspend = (fn: (...args: never[]) => Answer) =>
    new WebAssembly.Suspending((...args: never[]) => {
      ctx.meter.charge(HOST_COST.durableCall);
      return fn(...args);
    }) as never;
  const transferCost = (len: number) => ctx.meter.charge(hostBytesCost(Math.max(0, len)));

  /** Guest memory [ptr, +len) or null when it lies outside memory. */
  const guest = (ptr: number, len: number): Uint8Array | null => {
    const start = ptr >>> 0;
    if (len < 0 || start + len > ctx.memory().size) return null;
    return ctx.memory().view(start, len, "fbmu buffer");
  };
  const idAt = (ptr: number) => guest(ptr, LEASE_ID_BYTES)?.slice() ?? null;

  const read = async (id: Uint8Array | null, offset: bigint, ptr: number, len: number): Promise<number> => {
    transferCost(len);
    if (!id || !guest(ptr, len)) return HostStatus.OUT_OF_BOUNDS;
    if (offset < 0n || len > MAX_TRANSFER_BYTES) return HostStatus.INVALID_ARGUMENT;
    const answer = await port.read(id, Number(offset), len);
    if (typeof answer === "number") return answer;
    ctx.memory().write(ptr >>> 0, answer, "fbmu read buffer");
    return answer.length;
  };
  const write = async (id: Uint8Array | null, offset: bigint, ptr: number, len: number): Promise<number> => {
    transferCost(len);
    const bytes = guest(ptr, len)?.slice();
    if (!id || !bytes) return HostStatus.OUT_OF_BOUNDS;
    if (offset < 0n || len > MAX_TRANSFER_BYTES) return HostStatus.INVALID_ARGUMENT;
    return port.write(id, Number(offset), bytes);
  };
  const info = async (
    answer: Uint8Array | number | Promise<Uint8Array | number>,
    outPtr: number,
  ): Promise<number> => {
    const settled = await answer;
    if (typeof settled === "number") return settled;
    if (!guest(outPtr, LEASE_INFO_BYTES)) return HostStatus.OUT_OF_BOUNDS;
    ctx.memory().write(outPtr >>> 0, settled, "LeaseInfo");
    return HostStatus.OK;
  };

  return {
    fbmu_hello: () => HostStatus.OK,
    fbmu_get_arena_size: suspend(async () => BigInt(await port.arenaSize())),
    fbmu_read: suspend((offset: bigint, ptr: number, len: number) =>
      read(DEFAULT_ARENA_ID, offset, ptr, len),
    ),
    fbmu_write: suspend((offset: bigint, ptr: number, len: number) =>
      write(DEFAULT_ARENA_ID, offset, ptr, len),
    ),
    fbmu_alloc: suspend(async (minBytes: bigint, leaseSecs: bigint, outPtr: number) => {
      if (minBytes <= 0n || leaseSecs < 1n || minBytes > BigInt(Number.MAX_SAFE_INTEGER))
        return HostStatus.INVALID_ARGUMENT;
      if (!guest(outPtr, LEASE_INFO_BYTES)) return HostStatus.OUT_OF_BOUNDS;
      return info(
        port.alloc(Number(minBytes), Number(leaseSecs > 10n ** 9n ? 10n ** 9n : leaseSecs)),
        outPtr,
      );
    }),
    fbmu_query: suspend(async (idPtr: number, outPtr: number) => {
      const id = idAt(idPtr);
      return id ? info(port.query(id), outPtr) : HostStatus.OUT_OF_BOUNDS;
    }),
    fbmu_renew: suspend(async (idPtr: number, secs: bigint) => {
      const id = idAt(idPtr);
      if (!id) return BigInt(HostStatus.OUT_OF_BOUNDS);
      if (secs < 1n) return BigInt(HostStatus.INVALID_ARGUMENT);
      return BigInt(await port.renew(id, Number(secs > 10n ** 9n ? 10n ** 9n : secs)));
    }),
    fbmu_free: suspend(async (idPtr: number) => {
      const id = idAt(idPtr);
      return id ? port.free(id) : HostStatus.OUT_OF_BOUNDS;
    }),
    fbmu_read_lease: suspend((idPtr: number, offset: bigint, ptr: number, len: number) =>
      read(idAt(idPtr), offset, ptr, len),
    ),
    fbmu_write_lease: suspend((idPtr: number, offset: bigint, ptr: number, len: number) =>
      write(idAt(idPtr), offset, ptr, len),
    ),
  };
}
