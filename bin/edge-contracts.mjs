#!/usr/bin/env node
// The CLI's entry: the bundle scripts/build.mjs makes from src/cli (TypeScript).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = fileURLToPath(new URL("../build/cli.mjs", import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write("edge-contracts: build/cli.mjs is missing: run `npm run build` first\n");
  process.exit(1);
}
await import(bundle);
