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

function valueBytes(value: SqlValue): number {
  if (value === null || typeof value === "number") return 8;
  if (typeof value === "string") return utf8.encode(value).length;
  return value.byteLength;
}

export function checkStatement(query: string, params: readonly SqlValue[]): void {
  if (query.length > MAX_SQL_STATEMENT_BYTES || utf8.encode(query).length > MAX_SQL_STATEMENT_BYTES) {
    throw new EdgeError("INTERNAL", `SQL statement exceeds ${MAX_SQL_STATEMENT_BYTES} bytes`);
  }
  if (params.length > MAX_BOUND_PARAMETERS) {
    throw new EdgeError(
      "INTERNAL",
      `SQL statement binds ${params.length} parameters (limit ${MAX_BOUND_PARAMETERS})`,
    );
  }
  let total = 0;
  for (const param of params) total += valueBytes(param);
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
