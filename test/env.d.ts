// Bindings seen by tests through `env` from cloudflare:test.
import type { Env as AppEnv } from "../src/env.js";

declare global {
  namespace Cloudflare {
    interface Env extends AppEnv {
      /** build/contracts/<name>.wasm, base64 (vitest.config.ts). */
      TEST_CONTRACTS: Record<string, string>;
    }
  }
}
