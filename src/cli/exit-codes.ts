// The CLI's exit codes, one per class of failure, so scripts can branch on
// them without parsing messages (documented in --help and README).
import { EdgeApiError } from "../client/api-error.js";

export const EXIT = {
  ok: 0,
  usage: 1,
  notFound: 2,
  refused: 3,
  conflict: 4,
  auth: 5,
  limits: 6,
  server: 7,
} as const;

export const EXIT_HELP = `Exit codes:
  0  ok
  1  usage (bad arguments, a local file missing, a malformed request: 400)
  2  not found (404, 410)
  3  refused by the contract or validation (422)
  4  conflict or precondition (409, 412)
  5  auth (401)
  6  too large or over a limit (413, 416, 507, 429)
  7  server or network (5xx, unreachable)`;

export function exitCodeOf(error: unknown): number {
  if (error instanceof EdgeApiError) {
    const { status } = error;
    if (status === 404 || status === 410) return EXIT.notFound;
    if (status === 422) return EXIT.refused;
    if (status === 409 || status === 412) return EXIT.conflict;
    if (status === 401) return EXIT.auth;
    if ([413, 416, 429, 507].includes(status)) return EXIT.limits;
    if (status >= 500) return EXIT.server;
    return EXIT.usage;
  }
  // fetch rejects with a TypeError when the server is unreachable.
  if (error instanceof TypeError) return EXIT.server;
  return EXIT.usage;
}
