// Paths as the file store keeps them (src/protocol/files-port.ts): relative to
// the files root, "/"-joined segments, none empty, "." or "..". The sandbox
// refuses escapes before a call commits; the store checks again because its
// tables are what a bad path would corrupt.
import { EdgeError } from "../../errors.js";

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function pathBytes(path: string): number {
  return utf8.encode(path).length;
}

/** Why `path` is not a valid non-root node path, or null if it is. */
export function pathProblem(path: string): string | null {
  if (typeof path !== "string" || path === "") return "a path must be a non-empty string";
  // A lone surrogate would encode to U+FFFD and collide with another name.
  try {
    if (strictUtf8.decode(utf8.encode(path)) !== path) return "a path must be well-formed Unicode";
  } catch {
    return "a path must be well-formed Unicode";
  }
  for (const segment of path.split("/")) {
    if (segment === "") return "a path has no empty segments (nor a leading or trailing /)";
    if (segment === "." || segment === "..") return "a path has no . or .. segments";
    if (segment.includes("\0")) return "a path has no NUL bytes";
  }
  return null;
}

export function checkPath(path: string, maxPathBytes: number): void {
  const problem = pathProblem(path);
  if (problem) throw new EdgeError("FILES_INVALID_CHANGE", `${problem}: ${JSON.stringify(path)}`);
  if (pathBytes(path) > maxPathBytes) {
    throw new EdgeError("FILES_LIMIT", `path exceeds ${maxPathBytes} bytes`, {
      details: { limit: "maxPathBytes", max: maxPathBytes },
    });
  }
}

export function parentOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut < 0 ? "" : path.slice(0, cut);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Every proper ancestor of `path`, nearest first, ending with the root "". */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  let current = path;
  while (current !== "") {
    current = parentOf(current);
    out.push(current);
  }
  return out;
}

export function depthOf(path: string): number {
  return path === "" ? 0 : path.split("/").length;
}
