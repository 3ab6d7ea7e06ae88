// freenet_time: the current UTC time in chrono's layout.
import { timeImports } from "../guest-abi/freenet/freenet-io.js";
import type { HostNamespace } from "./host-namespace.js";

export const freenetTime: HostNamespace = {
  name: "freenet_time",
  catalog: {
    __frnt__time__utc_now: { params: ["i64", "i64"], results: [] },
  },
  bind: (call) => ({ imports: timeImports(call) }),
};
