import { describe, expect, it } from "vitest";
import { checkStatement } from "../../src/store/sql/sql-port.js";
import { MAX_BOUND_PARAMETERS, MAX_ROW_BYTES, MAX_SQL_STATEMENT_BYTES } from "../../src/limits.js";
import { nodeSql } from "./support/node-sql.js";

// The limits throw EdgeError INTERNAL (a bug in our SQL, never the client's); each test pins its
// limit by the size just past it failing and the size at it passing.
const INTERNAL = expect.objectContaining({ name: "EdgeError", code: "INTERNAL" });

describe("SQL limits enforced in code", () => {
  it("refuses statements over 100 KB", () => {
    const statement = (bytes: number) => `SELECT '${"x".repeat(bytes - "SELECT ''".length)}'`;
    expect(() => checkStatement(statement(MAX_SQL_STATEMENT_BYTES + 1), [])).toThrow(INTERNAL);
    expect(() => checkStatement(statement(MAX_SQL_STATEMENT_BYTES), [])).not.toThrow();
  });

  it("refuses more than 100 bound parameters", () => {
    const params = Array.from({ length: MAX_BOUND_PARAMETERS + 1 }, () => 1);
    expect(() => checkStatement("SELECT 1", params)).toThrow(INTERNAL);
    expect(() => checkStatement("SELECT 1", params.slice(1))).not.toThrow();
  });

  it("counts UTF-8 bytes, not characters, in statements and string values", () => {
    const euro = "\u20ac"; // three bytes in UTF-8
    const fits = (limit: number) => euro.repeat(Math.floor(limit / 3));
    expect(() => checkStatement(fits(MAX_SQL_STATEMENT_BYTES), [])).not.toThrow();
    expect(() => checkStatement(`${fits(MAX_SQL_STATEMENT_BYTES)}${euro}`, [])).toThrow(INTERNAL);
    expect(() => checkStatement("SELECT ?", [fits(MAX_ROW_BYTES)])).not.toThrow();
    expect(() => checkStatement("SELECT ?", [`${fits(MAX_ROW_BYTES)}${euro}`])).toThrow(INTERNAL);
  });

  it("refuses values over the 2 MB row limit before they reach SQLite", () => {
    const sql = nodeSql();
    sql.exec("CREATE TABLE t (v BLOB)");
    expect(() => sql.exec("INSERT INTO t VALUES (?)", new Uint8Array(MAX_ROW_BYTES + 1))).toThrow(INTERNAL);
    expect(sql.exec("SELECT COUNT(*) AS n FROM t")[0]?.n).toBe(0);
    sql.exec("INSERT INTO t VALUES (?)", new Uint8Array(MAX_ROW_BYTES));
    expect(sql.exec("SELECT COUNT(*) AS n FROM t")[0]?.n).toBe(1);
  });
});
