// The narrow SQL port that storage modules depend on. The Durable Object adapts
// `ctx.storage.sql` + `transactionSync`; node tests adapt `node:sqlite`. Both go
// through `withLimits`, so production limits fail loudly everywhere.
import { EdgeError } from "../../errors.js";
import { MAX_BOUND_PARAMETERS, MAX_ROW_BYTES, MAX_SQL_STATEMENT_BYTES } from "../../limits.js";

export type SqlValue = string | number | null | Uint8Array;
export type SqlRow = Record<string, SqlValue>;

export interface SqlPort {
  /** Runs one statement; BLOB columns come back as Uint8Array. */
  exec<T extends SqlRow = SqlRow>(query: string, ...params: SqlValue[]): T[];
  /** Runs `fn` atomically: every write in it commits, or none does. */
  transaction<T>(fn: () => T): T;
}

const utf8 = new TextEncoder();

// A UTF-16 code unit is at most 3 UTF-8 bytes and at least 1, so a string (every statement runs
// through here) is only encoded when its length alone cannot settle a limit.
const MAX_UTF8_PER_UNIT = 3;

function utf8Over(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  return text.length * MAX_UTF8_PER_UNIT > limit && utf8.encode(text).length > limit;
}

/** The bytes a value binds: a string's exactly, or (not `exact`) its upper bound. */
function valueBytes(value: SqlValue, exact: boolean): number {
  if (value === null || typeof value === "number") return 8;
  if (typeof value === "string") return exact ? utf8.encode(value).length : value.length * MAX_UTF8_PER_UNIT;
  return value.byteLength;
}

export function checkStatement(query: string, params: readonly SqlValue[]): void {
  if (utf8Over(query, MAX_SQL_STATEMENT_BYTES)) {
    throw new EdgeError("INTERNAL", `SQL statement exceeds ${MAX_SQL_STATEMENT_BYTES} bytes`);
  }
  if (params.length > MAX_BOUND_PARAMETERS) {
    throw new EdgeError(
      "INTERNAL",
      `SQL statement binds ${params.length} parameters (limit ${MAX_BOUND_PARAMETERS})`,
    );
  }
  const bound = params.reduce((sum: number, param) => sum + valueBytes(param, false), 0);
  if (bound <= MAX_ROW_BYTES) return;
  const total = params.reduce((sum: number, param) => sum + valueBytes(param, true), 0);
  if (total > MAX_ROW_BYTES) {
    throw new EdgeError("INTERNAL", `SQL statement binds ${total} bytes (row limit ${MAX_ROW_BYTES})`);
  }
}

export function withLimits(port: SqlPort): SqlPort {
  return {
    exec<T extends SqlRow = SqlRow>(query: string, ...params: SqlValue[]): T[] {
      checkStatement(query, params);
      return port.exec<T>(query, ...params);
    },
    transaction: (fn) => port.transaction(fn),
  };
}

/** A BLOB column; SQLite hands out fresh, unshared buffers. */
export function blobOf(value: SqlValue | undefined): Uint8Array<ArrayBuffer> {
  if (value instanceof Uint8Array) return value as Uint8Array<ArrayBuffer>;
  throw new EdgeError("INTERNAL", "expected a BLOB column");
}

export function intOf(value: SqlValue | undefined): number {
  if (typeof value === "number") return value;
  throw new EdgeError("INTERNAL", "expected an INTEGER column");
}
