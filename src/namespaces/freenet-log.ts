// freenet_log: a contract's log lines, bounded per call (LogBudget).
import { logImports } from "../guest-abi/freenet/freenet-io.js";
import type { HostNamespace } from "./host-namespace.js";

export const freenetLog: HostNamespace = {
  name: "freenet_log",
  catalog: {
    __frnt__logger__info: { params: ["i64", "i64", "i32"], results: [] },
  },
  bind: (call) => ({ imports: logImports(call) }),
};
