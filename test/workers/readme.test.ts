// The README's tables are the API's documentation: these keep them true.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { ERROR_STATUS } from "../../src/errors.js";
import { tableRows } from "../support/markdown-table.js";

// README.md, handed in by vitest.config.ts.
const readme = env.README_TEXT;

describe("README", () => {
  it("the error-code table lists every code with its status, and nothing else", () => {
    const documented = Object.fromEntries(
      tableRows(readme, "code").map(([code = "", status = ""]) => [code.replaceAll("`", ""), Number(status)]),
    );
    expect(documented).toEqual({ ...ERROR_STATUS });
  });

  it("the route table lists every route the app serves, and nothing else", () => {
    const served = new Set(
      createApp()
        .routes.filter((route) => route.method !== "ALL")
        .map((route) => `${route.method} ${route.path}`),
    );
    const documented = new Set<string>();
    for (const [cell = ""] of tableRows(readme, "route")) {
      // "`GET` / `HEAD /path`", "`POST /path?kind=...`", "`POST /path[?resolve=false]`"
      const path = /(\/[^`?[\s]*)/.exec(cell.replace(/`GET` \/ `HEAD /, "`GET "))?.[1] ?? "";
      for (const method of cell.match(/\b(GET|PUT|POST|DELETE)\b/g) ?? [])
        documented.add(`${method} ${path}`);
    }
    expect([...documented].toSorted()).toEqual([...served].toSorted());
  });
});
