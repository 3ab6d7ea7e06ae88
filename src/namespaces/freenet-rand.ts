// freenet_rand: random bytes from the platform's CSPRNG.
import { randImports } from "../guest-abi/freenet/freenet-io.js";
import type { HostNamespace } from "./host-namespace.js";

export const freenetRand: HostNamespace = {
  name: "freenet_rand",
  catalog: {
    __frnt__rand__rand_bytes: { params: ["i64", "i64", "i32"], results: [] },
  },
  bind: (call) => ({ imports: randImports(call) }),
};
