// How far one request's RequestRelated rounds may fan out, and the error that
// names the limit it hit (freenet-core allows 10 ids per request; see limits.ts).
import { EdgeError } from "../errors.js";
import { MAX_RELATED_PER_ROUND, MAX_RELATED_TOTAL } from "../limits.js";

/** Throws RELATED_LIMIT when a round names more new ids than allowed, or the request would pass its total. */
export function checkRelatedCount(fresh: number, lookedUp: number): void {
  if (fresh > MAX_RELATED_PER_ROUND) throw relatedLimit("per_round", MAX_RELATED_PER_ROUND, fresh);
  if (lookedUp + fresh > MAX_RELATED_TOTAL) {
    throw relatedLimit("total", MAX_RELATED_TOTAL, lookedUp + fresh);
  }
}

export function relatedLimit(limit: string, max: number, requested: number): EdgeError {
  return new EdgeError(
    "RELATED_LIMIT",
    `the contract asked for more related contracts than allowed (${limit}: ${requested} > ${max})`,
    { details: { limit, max, requested } },
  );
}
