// Conditional requests (RFC 9110 section 13) on the state's strong ETag.
import { EdgeError } from "../errors.js";

export type EtagCondition = "*" | string[];

export interface WriteConditions {
  ifMatch?: EtagCondition;
  ifNoneMatch?: EtagCondition;
}

/** Parses an If-Match / If-None-Match value into `*` or a list of quoted tags. */
export function parseEtagCondition(header: string | null | undefined): EtagCondition | undefined {
  if (header === null || header === undefined) return undefined;
  const trimmed = header.trim();
  if (trimmed === "*") return "*";
  const tags = trimmed.match(/(?:W\/)?"[^"]*"/g);
  if (!tags) {
    throw new EdgeError("BAD_REQUEST", "malformed entity-tag list", { details: { header } });
  }
  return tags;
}

function strongMatch(condition: EtagCondition, etag: string | null): boolean {
  if (etag === null) return false;
  if (condition === "*") return true;
  return condition.some((tag) => !tag.startsWith("W/") && tag === etag);
}

function weakMatch(condition: EtagCondition, etag: string | null): boolean {
  if (etag === null) return false;
  if (condition === "*") return true;
  return condition.some((tag) => tag.replace(/^W\//, "") === etag);
}

/** Throws PRECONDITION_FAILED unless a write may replace the state tagged `etag` (null: no state yet). */
export function checkWriteConditions(conditions: WriteConditions, etag: string | null): void {
  if (conditions.ifMatch !== undefined && !strongMatch(conditions.ifMatch, etag)) {
    throw new EdgeError("PRECONDITION_FAILED", "If-Match does not match the current state", {
      details: { current: etag },
    });
  }
  if (conditions.ifNoneMatch !== undefined && weakMatch(conditions.ifNoneMatch, etag)) {
    throw new EdgeError("PRECONDITION_FAILED", "If-None-Match matches the current state", {
      details: { current: etag },
    });
  }
}

/** True when a GET with this If-None-Match should be answered 304. */
export function isNotModified(ifNoneMatch: EtagCondition | undefined, etag: string): boolean {
  return ifNoneMatch !== undefined && weakMatch(ifNoneMatch, etag);
}
