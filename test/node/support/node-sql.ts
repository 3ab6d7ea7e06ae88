// SqlPort over node:sqlite, so storage modules run against real SQLite in node tests.
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { withLimits, type SqlPort, type SqlRow, type SqlValue } from "../../../src/store/sql/sql-port.js";

export function nodeSql(path = ":memory:"): SqlPort & { db: DatabaseSync } {
  const db = new DatabaseSync(path);
  let depth = 0;
  const port = withLimits({
    exec<T extends SqlRow = SqlRow>(query: string, ...params: SqlValue[]): T[] {
      const statement = db.prepare(query);
      if (
        /^\s*(select|with|insert[\s\S]*returning|update[\s\S]*returning|delete[\s\S]*returning|pragma)/i.test(
          query,
        )
      ) {
        return statement.all(...(params as SQLInputValue[])) as T[];
      }
      statement.run(...(params as SQLInputValue[]));
      return [];
    },
    transaction<T>(fn: () => T): T {
      const name = `sp${depth++}`;
      db.exec(`SAVEPOINT ${name}`);
      try {
        const result = fn();
        db.exec(`RELEASE ${name}`);
        return result;
      } catch (error) {
        db.exec(`ROLLBACK TO ${name}`);
        db.exec(`RELEASE ${name}`);
        throw error;
      } finally {
        depth--;
      }
    },
  });
  return Object.assign(port, { db });
}
