// The test:shm/exchange imports for core modules, with the seed's names and
// canonical-ABI lowering (docs/memory-blocks.md): results go through a
// return area the guest names. The rules live in the execution's BlockTable;
// a frame called with blocks gets them as its first handles.
import type { ExchangeChanges, ExchangePort } from "../../protocol/block-port.js";
import { HOST_COST, hostBytesCost } from "../../metering/fuel-costs.js";
import type { GuestBinding, GuestCall } from "../guest-call.js";
import { BlockTable } from "./block-table.js";
import { ADD_STORAGE_RESULT_BYTES, ATTACH_RESULT_BYTES, type ShmErrorCode } from "./shm-abi.js";

const u32 = (value: number) => value >>> 0;

export function bindExchange(call: GuestCall, port: ExchangePort | undefined): GuestBinding<ExchangeChanges> {
  // The blocks a caller passed are this frame's first handles.
  if (port && port.passed.length > 0) call.blocks().receive(port.passed);
  const table = () => call.blocks().table;
  const charge = (bytes = 0) => call.meter.charge(bytes === 0 ? HOST_COST.call : hostBytesCost(bytes));
  /** Writes a result record (fields little-endian) into the guest's return area. */
  const result = (retptr: number, bytes: number, fill: (out: DataView) => void) => {
    const record = new Uint8Array(bytes);
    fill(new DataView(record.buffer));
    call.memory().write(u32(retptr), record, "result area");
  };
  const error = (retptr: number, bytes: number, at: number, code: ShmErrorCode) =>
    result(retptr, bytes, (out) => {
      out.setUint8(0, 1);
      out.setUint8(at, code);
    });

  return {
    imports: {
      "[constructor]memory-block": (size: number): number => {
        charge(u32(size));
        return table().create(u32(size));
      },
      "[method]memory-block.clone": (handle: number): number => {
        charge();
        return table().clone(u32(handle));
      },
      "[method]memory-block.attach": (handle: number, flags: number, retptr: number): void => {
        charge();
        const attached = table().attach(u32(handle), u32(flags));
        if ("error" in attached) return error(retptr, ATTACH_RESULT_BYTES, 4, attached.error);
        charge(attached.area.size);
        result(retptr, ATTACH_RESULT_BYTES, (out) => {
          out.setUint32(4, attached.area.addr, true);
          out.setUint32(8, attached.area.size, true);
        });
      },
      "[method]memory-block.detach": (handle: number, consumed: number): void => {
        charge(u32(consumed));
        table().detach(u32(handle), u32(consumed));
      },
      "[method]memory-block.minimum-size": (handle: number): number => {
        charge();
        return table().minimumSize(u32(handle));
      },
      "[static]memory-block.optimum-size": (count: number, size: number): number => {
        charge();
        return BlockTable.optimumSize(u32(count), u32(size)) | 0;
      },
      "[static]memory-block.add-storage": (addr: number, size: number, retptr: number): void => {
        charge();
        const refused = table().addStorage(u32(addr), u32(size));
        if (refused !== null) return error(retptr, ADD_STORAGE_RESULT_BYTES, 1, refused);
        result(retptr, ADD_STORAGE_RESULT_BYTES, () => {});
      },
      "[static]memory-block.create-local": (addr: number, size: number): number => {
        charge();
        return table().createLocal(u32(addr), u32(size));
      },
      "[method]memory-block.create-partition": (
        handle: number,
        start: number,
        size: number,
        mode: number,
      ) => {
        charge();
        table().createPartition(u32(handle), u32(start), u32(size), u32(mode));
      },
      "[resource-drop]memory-block": (handle: number): void => {
        charge();
        table().drop(u32(handle));
      },
      // An address is a plain offset into linear memory: nothing to release.
      "[resource-drop]address": (): void => charge(),
    },
    finish: () => {
      const returned = call.blocks().returned();
      return returned ? { returned } : undefined;
    },
  };
}
