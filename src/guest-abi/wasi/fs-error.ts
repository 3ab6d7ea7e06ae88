// How the WASI host fails an operation. jco's generated glue lowers a thrown
// value that is not a JS Error as the import's `err` case: a filesystem error
// is the WASI error-code string itself; a JS Error traps the guest instead
// (what the host does when it, not the guest, went wrong).

/** The wasi:filesystem/types error codes this host answers. */
export type FsErrorCode =
  | "access"
  | "bad-descriptor"
  | "exist"
  | "file-too-large"
  | "insufficient-space"
  | "invalid"
  | "io"
  | "is-directory"
  | "name-too-long"
  | "no-entry"
  | "not-directory"
  | "not-empty"
  | "not-permitted"
  | "overflow"
  | "quota"
  | "read-only"
  | "unsupported"
  | "cross-device";

const CODES = new Set<string>([
  "access",
  "bad-descriptor",
  "exist",
  "file-too-large",
  "insufficient-space",
  "invalid",
  "io",
  "is-directory",
  "name-too-long",
  "no-entry",
  "not-directory",
  "not-empty",
  "not-permitted",
  "overflow",
  "quota",
  "read-only",
  "unsupported",
  "cross-device",
]);

/** Fails the current import with `code` (the guest sees `err(code)`). */
export function fsFail(code: FsErrorCode): never {
  // The glue expects the bare code string as the error payload.
  // oxlint-disable-next-line no-throw-literal
  throw code;
}

export function isFsErrorCode(value: unknown): value is FsErrorCode {
  return typeof value === "string" && CODES.has(value);
}
