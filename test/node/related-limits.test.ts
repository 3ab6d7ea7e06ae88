import { describe, expect, it } from "vitest";
import { checkRelatedCount } from "../../src/contract/related-limits.js";
import { EdgeError } from "../../src/errors.js";
import { MAX_RELATED_PER_ROUND, MAX_RELATED_TOTAL } from "../../src/limits.js";

const codeOf = (run: () => void) => {
  try {
    run();
    return "ok";
  } catch (error) {
    return error instanceof EdgeError ? `${error.code}:${String(error.details?.limit)}` : "other";
  }
};

describe("checkRelatedCount", () => {
  it("allows up to the per-round limit while the request's total holds", () => {
    expect(codeOf(() => checkRelatedCount(MAX_RELATED_PER_ROUND, 0))).toBe("ok");
    expect(codeOf(() => checkRelatedCount(MAX_RELATED_PER_ROUND + 1, 0))).toBe("RELATED_LIMIT:per_round");
  });

  it("stops a round that would take the request past its total", () => {
    expect(codeOf(() => checkRelatedCount(MAX_RELATED_TOTAL - 10, 10))).toBe("ok");
    expect(codeOf(() => checkRelatedCount(MAX_RELATED_TOTAL - 9, 10))).toBe("RELATED_LIMIT:total");
  });
});
