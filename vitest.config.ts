import { readdirSync, readFileSync } from "node:fs";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Contracts the build compiled from source, handed to workerd tests as base64
// bindings (tests upload them over HTTP, as users do).
function contractFixtures(): Record<string, string> {
  const dir = "build/contracts";
  return Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith(".wasm"))
      .map((name) => [name.replace(/\.wasm$/, ""), readFileSync(`${dir}/${name}`).toString("base64")]),
  );
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          // The DO-side port targets run in node tests too (see the shim).
          alias: {
            "cloudflare:workers": new URL("test/node/support/cloudflare-workers.ts", import.meta.url)
              .pathname,
          },
          environment: "node",
          // node:sqlite (the real SQLite behind the storage modules' node tests) is flagged experimental.
          execArgv: ["--disable-warning=ExperimentalWarning"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TEST_CONTRACTS: contractFixtures(),
                README_TEXT: readFileSync("README.md", "utf8"),
                // x-fault-inject crash points, for the transaction recovery tests (never set in wrangler.toml).
                FAULT_INJECTION: "1",
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          // Describes the sandbox without JSPI only: the workers-prefetch project runs it.
          exclude: ["test/workers/calls-prefetch.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        // The execution and namespace conformance suites and the fuel tests again, with every
        // page shipped before the call (no JSPI: guests cannot pause, the budget alone bounds
        // them, storage frames cannot load and the fabric is unreachable).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { TEST_CONTRACTS: contractFixtures(), PAGE_MODE: "prefetch" } },
          }),
        ],
        test: {
          name: "workers-prefetch",
          include: [
            "test/workers/execution.test.ts",
            "test/workers/fuel.test.ts",
            "test/workers/conformance/*.test.ts",
            "test/workers/calls-prefetch.test.ts",
          ],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
