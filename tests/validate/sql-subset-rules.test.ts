// The DuckDB half of the SQL subset rules, checked against the DuckDB this project runs locally.
// (The Databricks half comes from the Databricks SQL reference; CI has no workspace to check it against.)
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DUCKDB_ONLY_PREFIXES,
  FUNCTION_DENYLIST,
  PORTABLE_FUNCTIONS,
  PORTABLE_SPECIAL_FORMS,
} from '../../src/validate/sql-subset-rules.ts';

let connection: DuckDBConnection;
let duckdbFunctions: Set<string>;

beforeAll(async () => {
  connection = await (await DuckDBInstance.create(':memory:')).connect();
  const reader = await connection.runAndReadAll('SELECT DISTINCT lower(function_name) FROM duckdb_functions()');
  duckdbFunctions = new Set(reader.getRows().map((row) => String(row[0])));
});

afterAll(() => {
  connection.closeSync();
});

const denied = (kind: string): string[] =>
  Object.entries(FUNCTION_DENYLIST)
    .filter(([, rule]) => rule.message.startsWith(kind))
    .map(([name]) => name);

describe('SQL subset rules against DuckDB', () => {
  it('every allowlisted function exists in DuckDB', () => {
    expect(PORTABLE_FUNCTIONS.filter((f) => !duckdbFunctions.has(f))).toEqual([]);
  });

  it('every allowlisted special form runs in DuckDB', async () => {
    for (const [name, probe] of Object.entries(PORTABLE_SPECIAL_FORMS)) {
      await expect(connection.run(probe), name).resolves.toBeDefined();
    }
  });

  it('functions marked Databricks-only are unknown to DuckDB', () => {
    const sparkOnly = denied('runs on Databricks but not on DuckDB');
    expect(sparkOnly.length).toBeGreaterThan(10);
    expect(sparkOnly.filter((f) => duckdbFunctions.has(f))).toEqual([]);
  });

  it('functions marked DuckDB-only exist in DuckDB', () => {
    const duckdbOnly = denied('runs on DuckDB but not on Databricks');
    expect(duckdbOnly.length).toBeGreaterThan(10);
    expect(duckdbOnly.filter((f) => !duckdbFunctions.has(f))).toEqual([]);
    for (const prefix of Object.keys(DUCKDB_ONLY_PREFIXES)) {
      expect([...duckdbFunctions].some((f) => f.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it('no function is both allowed and denied', () => {
    const allowed = new Set([...PORTABLE_FUNCTIONS, ...Object.keys(PORTABLE_SPECIAL_FORMS)]);
    expect(Object.keys(FUNCTION_DENYLIST).filter((f) => allowed.has(f))).toEqual([]);
    expect(PORTABLE_FUNCTIONS.filter((f) => Object.keys(DUCKDB_ONLY_PREFIXES).some((p) => f.startsWith(p)))).toEqual([]);
  });
});
