// The README's host status table documents what every host import answers: this keeps it true
// to src/protocol/host-status.ts, both ways.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HostStatus } from "../../src/protocol/host-status.js";
import { tableRows } from "../support/markdown-table.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

const byValue = (entries: Array<[string, number]>) => entries.toSorted((a, b) => b[1] - a[1]);

/** The table's [name, number] rows. */
const documented = () =>
  tableRows(readme, "host status").map(([name = "", value = ""]): [string, number] => [
    name.replaceAll("`", ""),
    Number(value.replaceAll("`", "")),
  ]);

describe("README host status table", () => {
  it("documents every HostStatus code with its number", () => {
    const rows = documented();
    for (const [name, value] of Object.entries(HostStatus)) expect(rows).toContainEqual([name, value]);
  });

  it("documents nothing else, and each code once", () => {
    const rows = documented();
    const known: Record<string, number> = HostStatus;
    for (const [name, value] of rows) expect({ name, value: known[name] }).toEqual({ name, value });
    expect(byValue(rows)).toEqual(byValue(Object.entries(HostStatus)));
  });
});
