// Paths a guest hands to a directory descriptor. Capabilities are enforced
// here, before any lookup: a path is relative to its descriptor and may
// never climb out of it, so absolute paths and every ".." segment are refused
// (even "a/../b", which would stay inside: refusing is simpler to audit
// than resolving). "." and empty segments name the directory itself.
import { fsFail } from "./fs-error.js";

const UTF8 = new TextEncoder();

export interface ParsedPath {
  /** Path segments below the descriptor (empty: the descriptor's directory itself). */
  segments: string[];
  /** A trailing "/" : the path must name a directory. */
  mustBeDirectory: boolean;
}

export function parseRelative(path: string): ParsedPath {
  if (path === "") fsFail("no-entry");
  if (path.startsWith("/")) fsFail("not-permitted");
  if (path.includes("\0")) fsFail("invalid");
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "..") fsFail("not-permitted");
    if (segment !== "" && segment !== ".") segments.push(segment);
  }
  return { segments, mustBeDirectory: path.endsWith("/") };
}

/** `base` (a store path: "" the root, segments joined by "/") extended by `segments`. */
export function joinPath(base: string, segments: string[]): string {
  if (segments.length === 0) return base;
  const tail = segments.join("/");
  return base === "" ? tail : `${base}/${tail}`;
}

/** The parent's path and the last segment of a non-root store path. */
export function splitPath(path: string): [parent: string, name: string] {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? ["", path] : [path.slice(0, slash), path.slice(slash + 1)];
}

/** True when `path` is `ancestor` or below it. */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === "" || path === ancestor || path.startsWith(`${ancestor}/`);
}

/** Refuses a store path longer than the limit (UTF-8 bytes). */
export function checkPathBytes(path: string, maxPathBytes: number): void {
  // A cheap bound first: UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (path.length * 3 <= maxPathBytes) return;
  if (UTF8.encode(path).length > maxPathBytes) fsFail("name-too-long");
}
