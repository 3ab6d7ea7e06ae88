import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { JCO_VERSION } from "../../../src/component/jco-version.js";

describe("JCO_VERSION", () => {
  it("is the installed jco's version (stored transpiles are keyed by it)", () => {
    const installed = JSON.parse(
      readFileSync(
        new URL("../../../node_modules/@bytecodealliance/jco/package.json", import.meta.url),
        "utf8",
      ),
    ) as { version: string };
    expect(JCO_VERSION).toBe(installed.version);
  });
});
