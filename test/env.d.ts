// Bindings seen by tests through `env` from cloudflare:test.
import type { Env as AppEnv } from "../src/env.js";

declare global {
  namespace Cloudflare {
    interface Env extends AppEnv {
      /** build/contracts/<name>.wasm, base64 (vitest.config.ts). */
      TEST_CONTRACTS: Record<string, string>;
      /** README.md, for the tests that keep its tables true (vitest.config.ts). */
      README_TEXT: string;
    }
  }
}
