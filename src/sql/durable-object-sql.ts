// SqlPort over a SQLite-backed Durable Object's storage.
import { withLimits, type SqlPort, type SqlRow, type SqlValue } from "./sql-port.js";

export function durableObjectSql(storage: DurableObjectStorage): SqlPort {
  const sql = storage.sql;
  return withLimits({
    exec<T extends SqlRow = SqlRow>(query: string, ...params: SqlValue[]): T[] {
      const rows = sql.exec(query, ...params).toArray();
      for (const row of rows) {
        for (const key in row) {
          const value = row[key];
          if (value instanceof ArrayBuffer) row[key] = new Uint8Array(value);
        }
      }
      return rows as unknown as T[];
    },
    transaction: (fn) => storage.transactionSync(fn),
  });
}
