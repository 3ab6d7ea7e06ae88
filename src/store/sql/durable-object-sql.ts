// SqlPort over a SQLite-backed Durable Object's storage.
import { withLimits, type SqlPort, type SqlRow, type SqlValue } from "./sql-port.js";

// `storage.sql` is only touched when a statement runs: an object that is not an
// instance must not even open its database.
export function durableObjectSql(storage: DurableObjectStorage): SqlPort {
  return withLimits({
    exec<T extends SqlRow = SqlRow>(query: string, ...params: SqlValue[]): T[] {
      // workerd binds any ArrayBufferView as a BLOB; its types only list ArrayBuffer.
      const cursor = storage.sql.exec(query, ...(params as SqlStorageValue[]));
      const rows: SqlRow[] = [];
      for (const raw of cursor) {
        const row: SqlRow = {};
        for (const key in raw) {
          const value = raw[key];
          row[key] = value instanceof ArrayBuffer ? new Uint8Array(value) : (value ?? null);
        }
        rows.push(row);
      }
      return rows as T[];
    },
    transaction: (fn) => storage.transactionSync(fn),
  });
}
