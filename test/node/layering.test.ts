// The folders say which side a file stands on; these rules keep the sides
// apart: the DO's persistence never imports the guest ABI or the sandbox, the
// guest ABI and the sandbox never import the DO's stores or request logic,
// and protocol types import no side that runs (import/no-cycle does the rest).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);
const SRC = join(ROOT, "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? entry.name === "assembly"
        ? []
        : files(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Every relative import of a file, as a path below src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)].map((match) =>
    relative(SRC, resolve(join(file, ".."), match[1] ?? "")),
  );
}

const RULES: Array<[folder: string, forbidden: string[]]> = [
  ["store", ["guest-abi", "sandbox", "namespaces", "contract", "routes"]],
  ["guest-abi", ["store", "contract", "sandbox", "namespaces", "routes"]],
  ["sandbox", ["store", "contract", "routes"]],
  ["protocol", ["guest-abi", "sandbox", "namespaces", "routes"]],
];

describe("layering", () => {
  it.each(RULES)("src/%s imports none of %j", (folder, forbidden) => {
    const offending = files(join(SRC, folder)).flatMap((file) =>
      importsOf(file)
        .filter((target) => forbidden.some((side) => target.startsWith(`${side}/`)))
        .map((target) => `${relative(SRC, file)} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it("reads imports (the rules are not vacuous)", () => {
    expect(importsOf(join(SRC, "sandbox", "contract-runner.ts"))).toContain("namespaces/registry.js");
  });
});
