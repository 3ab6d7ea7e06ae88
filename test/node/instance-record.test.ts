// The instance's record over real SQLite, including a record written before
// the namespace list was kept (its calls get every namespace's port).
import { describe, expect, it } from "vitest";
import { InstanceTable } from "../../src/store/instance/instance-record.js";
import type { SqlPort, SqlRow, SqlValue } from "../../src/store/sql/sql-port.js";
import { nodeSql } from "./support/node-sql.js";

const record = { id: "i", codeHash: "c", parameters: Uint8Array.of(1, 2), createdAt: 5, reentrant: false };

describe("InstanceTable", () => {
  it("keeps the namespaces the code imports", () => {
    const sql = nodeSql();
    const table = new InstanceTable(sql);
    expect(table.create({ ...record, namespaces: ["edge_storage", "fbmu"] }).created).toBe(true);
    expect(new InstanceTable(sql).get()).toEqual({ ...record, namespaces: ["edge_storage", "fbmu"] });
    expect(table.create({ ...record, namespaces: [] })).toMatchObject({ created: false });
  });

  it("reads the row once: the record never changes after it is written", () => {
    const sql = nodeSql();
    new InstanceTable(sql).create({ ...record, namespaces: [] });
    const table = new InstanceTable(sql);
    let selects = 0;
    const counted: SqlPort = {
      exec<T extends SqlRow = SqlRow>(query: string, ...params: SqlValue[]): T[] {
        if (query.includes("FROM instance")) selects++;
        return sql.exec<T>(query, ...params);
      },
      transaction: (fn) => sql.transaction(fn),
    };
    const reading = new InstanceTable(counted);
    expect(table.get()).toEqual({ ...record, namespaces: [] });
    expect(reading.get()).toEqual(reading.get());
    expect(selects).toBe(1);
  });

  it("adds the column to a table from before it, and reads its record as 'every namespace'", () => {
    const sql = nodeSql();
    sql.exec(`CREATE TABLE instance (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      id TEXT NOT NULL, code_hash TEXT NOT NULL, parameters BLOB NOT NULL, created_at INTEGER NOT NULL)`);
    sql.exec(
      "INSERT INTO instance (singleton, id, code_hash, parameters, created_at) VALUES (1, ?, ?, ?, ?)",
      record.id,
      record.codeHash,
      record.parameters,
      record.createdAt,
    );
    expect(new InstanceTable(sql).get()).toEqual({ ...record, namespaces: null });
    // Opening again does not try to add it twice.
    expect(new InstanceTable(sql).get()).toEqual({ ...record, namespaces: null });
  });
});
