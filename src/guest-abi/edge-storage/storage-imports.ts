// The edge_storage imports: mmap-style linear storage (README "Linear
// storage"). Frames load on demand (the import suspends through JSPI while the
// DO answers); writes land in the call's FrameTable and go back to the DO
// with the reply, which commits them with the call's outcome.
import { HostStatus, type HostStatusCode } from "../../protocol/host-status.js";
import type { StorageChanges, StoragePort, StorageRefresh } from "../../protocol/storage-port.js";
import { frameRange } from "../../protocol/frame-span.js";
import type { GuestBinding, GuestCall } from "../guest-call.js";
import type { GuestMemory } from "../guest-memory.js";
import { EdgeError } from "../../errors.js";
import { FrameTable } from "./frame-table.js";
import { MappingTable, type Mapping } from "./mapping-table.js";
import { HOST_COST, hostBytesCost } from "../../metering/fuel-costs.js";
import type { HostMeter } from "../../metering/fuel-meter.js";

interface StorageContext {
  memory(): GuestMemory;
  frames: FrameTable;
  mappings: MappingTable;
  /** Highest storage offset (exclusive) a call may touch. */
  limitBytes: number;
  jspi: boolean;
  meter: HostMeter;
}

/** No port: a zero-byte space, every access refused (STORAGE_LIMIT). */
const NO_FRAMES = {
  read: () => {
    throw new EdgeError("INTERNAL", "no storage for this call");
  },
};

/** The namespace's sandbox half for one call. */
export function bindStorage(call: GuestCall, port: StoragePort | undefined): GuestBinding<StorageChanges> {
  const ctx: StorageContext = {
    memory: call.memory,
    frames: new FrameTable(port?.frames ?? NO_FRAMES, port?.size ?? 0, port?.frameBudgetBytes ?? 0),
    mappings: new MappingTable(),
    limitBytes: port?.limitBytes ?? 0,
    jspi: call.jspi,
    meter: call.meter,
  };
  const changes = (): StorageChanges | undefined => {
    writeBackAll(ctx);
    return port ? { writes: ctx.frames.dirty(), size: ctx.frames.size } : undefined;
  };
  return {
    imports: storageImports(ctx),
    // At the return of the top-level export every mapping writes back.
    finish: changes,
    // Before an outgoing call too (the seed's write-back): the DO stages what changed so far.
    checkpoint: () => {
      const changed = changes();
      ctx.frames.markClean();
      return changed;
    },
    // After it: frames a re-entrant frame changed load again, and mapped memory over them is rewritten.
    refresh: async (changed) => {
      const { frames, size } = changed as StorageRefresh;
      const reloaded = new Set(await ctx.frames.reload(frames, size));
      for (const mapping of ctx.mappings.all()) {
        const { first, end } = frameRange(mapping.storageStart, mapping.length);
        let touched = false;
        for (let index = first; index < end && !touched; index++) touched = reloaded.has(index);
        if (!touched) continue;
        ctx.frames.read(mapping.storageStart, mapping.length, (bytes, at) =>
          ctx.memory().write(mapping.memStart + at, bytes, "mapped memory"),
        );
      }
    },
  };
}

type Status = HostStatusCode | Promise<HostStatusCode>;

function storageImports(ctx: StorageContext): Record<string, (...args: never[]) => unknown> {
  const suspend = <F extends (...args: never[]) => unknown>(fn: F) =>
    ctx.jspi ? (new WebAssembly.Suspending(fn) as never as F) : fn;

  /** Checks a request and loads its frames; `then` runs once they are in. */
  const withFrames = (
    memStart: number,
    storageStart: bigint,
    length: number,
    then: (offset: number) => HostStatusCode,
  ): Status => {
    ctx.meter.charge(hostBytesCost(Math.max(0, length)));
    if (length < 0 || storageStart < 0n) return HostStatus.INVALID_ARGUMENT;
    memStart >>>= 0;
    if (storageStart + BigInt(length) > BigInt(ctx.limitBytes)) return HostStatus.STORAGE_LIMIT;
    if (memStart + length > ctx.memory().size) return HostStatus.OUT_OF_BOUNDS;
    const offset = Number(storageStart);
    const missing = ctx.frames.missing(offset, length);
    if (!ctx.frames.fits(missing.length)) return HostStatus.STORAGE_LIMIT;
    let loaded;
    try {
      loaded = ctx.frames.load(missing);
    } catch {
      return HostStatus.IO_ERROR;
    }
    if (!loaded) return then(offset);
    if (!ctx.jspi) return HostStatus.IO_ERROR;
    return loaded.then(
      () => then(offset),
      () => HostStatus.IO_ERROR,
    );
  };

  return {
    storage_map: suspend((memStart: number, storageStart: bigint, length: number): Status =>
      withFrames(memStart, storageStart, length, (offset) => {
        const mapping = { memStart: memStart >>> 0, storageStart: offset, length };
        if (!ctx.mappings.add(mapping)) return HostStatus.OVERLAP;
        ctx.frames.read(offset, length, (bytes, at) =>
          ctx.memory().write(mapping.memStart + at, bytes, "mapped memory"),
        );
        return HostStatus.OK;
      }),
    ),
    storage_unmap: (memStart: number): HostStatusCode => {
      const mapping = ctx.mappings.remove(memStart >>> 0);
      ctx.meter.charge(hostBytesCost(mapping?.length ?? 0));
      if (!mapping) return HostStatus.NOT_MAPPED;
      writeBack(ctx, mapping);
      return HostStatus.OK;
    },
    storage_sync: (): HostStatusCode => {
      ctx.meter.charge(hostBytesCost(ctx.mappings.all().reduce((n, m) => n + m.length, 0)));
      writeBackAll(ctx);
      return HostStatus.OK;
    },
    storage_size: (): bigint => {
      ctx.meter.charge(HOST_COST.call);
      return BigInt(ctx.frames.size);
    },
    storage_read: suspend((memStart: number, storageStart: bigint, length: number): Status =>
      withFrames(memStart, storageStart, length, (offset) => {
        ctx.frames.read(offset, length, (bytes, at) =>
          ctx.memory().write((memStart >>> 0) + at, bytes, "read buffer"),
        );
        return HostStatus.OK;
      }),
    ),
    storage_write: suspend((storageStart: bigint, memStart: number, length: number): Status =>
      withFrames(memStart, storageStart, length, (offset) => {
        ctx.frames.write(offset, ctx.memory().view(memStart >>> 0, length, "write buffer"));
        ctx.frames.cover(offset + length);
        return HostStatus.OK;
      }),
    ),
  };
}

/** At the return of the top-level export, and at sync: every mapping writes back. */
function writeBackAll(ctx: Pick<StorageContext, "memory" | "frames" | "mappings">): void {
  for (const mapping of ctx.mappings.all()) writeBack(ctx, mapping);
}

/** Records what the guest changed in one mapping; untouched bytes cost a compare, not a write. */
function writeBack(ctx: Pick<StorageContext, "memory" | "frames">, mapping: Mapping): void {
  ctx.frames.write(
    mapping.storageStart,
    ctx.memory().view(mapping.memStart, mapping.length, "mapped memory"),
  );
}
