// freenet_contract_io: the streaming buffers every input reaches the guest through.
import { contractIoImports } from "../guest-abi/freenet/freenet-io.js";
import type { HostNamespace } from "./host-namespace.js";

export const freenetContractIo: HostNamespace = {
  name: "freenet_contract_io",
  catalog: {
    __frnt__fill_buffer: { params: ["i64", "i64"], results: ["i32"] },
  },
  bind: (call) => ({ imports: contractIoImports(call) }),
};
