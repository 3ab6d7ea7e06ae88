// jco's transpiler running inside workerd (the bindgen core modules bundled by wrangler, nothing
// compiled at run time), checked against what jco made of the same components in node at build
// time (build/bindgen/transpile-expected.txt; the node tests hold that equal to the jco CLI).
import { base64, hex } from "@scure/base";
import { describe, expect, it } from "vitest";
import expectedText from "../../build/bindgen/transpile-expected.txt";
import bigBase64 from "../../build/bindgen/js-component-bindgen.component.b64.txt";
import { transpileComponent } from "../../src/component/bindgen-modules.js";
import type { TranspiledComponent } from "../../src/component/transpile-component.js";
import { EdgeError } from "../../src/errors.js";
import { contractWasm } from "./support/api.js";

interface Expected {
  size: number;
  files: Record<string, string>;
  imports: string[];
  exports: Array<[string, string]>;
}

const expected = JSON.parse(expectedText) as Record<string, Expected>;

async function sha256(bytes: Uint8Array): Promise<string> {
  return hex.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

async function digests(result: TranspiledComponent, name: string): Promise<Record<string, string>> {
  const files: Array<[string, Uint8Array]> = [
    [`${name}.js`, new TextEncoder().encode(result.js)],
    ...result.coreModules.map(({ name: file, bytes }): [string, Uint8Array] => [file, bytes]),
  ];
  const entries = await Promise.all(files.map(async ([file, bytes]) => [file, await sha256(bytes)] as const));
  return Object.fromEntries(entries.toSorted(([a], [b]) => (a < b ? -1 : 1)));
}

async function expectAsAtBuild(result: TranspiledComponent, name: string): Promise<void> {
  const want = expected[name]!;
  expect(await digests(result, name)).toEqual(want.files);
  expect(result.importKeys).toEqual(want.imports);
  const unversioned = new Set(result.imports.map((item) => item.replace(/@[^@]*$/, "")));
  for (const key of want.imports) expect(unversioned).toContain(key);
  expect(result.exports).toEqual(want.exports);
}

describe("transpileComponent inside workerd", () => {
  const sample = contractWasm("transpile-sample");
  const big = base64.decode(bigBase64);

  it("transpiles a small component exactly as jco does in node, then a big one", async () => {
    await expectAsAtBuild(await transpileComponent(sample, "transpile-sample"), "transpile-sample");
    expect(big.length).toBe(expected["big"]!.size);
    await expectAsAtBuild(await transpileComponent(big, "big"), "big");
  });

  it("refuses what is not a component as COMPONENT_INVALID and keeps working", async () => {
    const refusals = [
      new TextEncoder().encode("not wasm"),
      contractWasm("accept-all"),
      sample.subarray(0, 200),
    ];
    for (const bytes of refusals) {
      const error: unknown = await transpileComponent(bytes, "refused").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EdgeError);
      expect((error as EdgeError).code).toBe("COMPONENT_INVALID");
    }
    await expectAsAtBuild(await transpileComponent(sample, "transpile-sample"), "transpile-sample");
  });
});
