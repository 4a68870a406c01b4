import { describe, expect, it } from 'vitest';
import { declaredSchemaText, parseFileSchema } from '../../src/model/file-schema.ts';

describe('parseFileSchema', () => {
  it('reads Spark DDL into columns with their DuckDB types', () => {
    expect(parseFileSchema('id STRING, n int, big LONG, amount DECIMAL(10, 2), d DATE, ts TIMESTAMP, ok BOOLEAN NOT NULL, `we``ird` DOUBLE')).toEqual({
      columns: [
        { name: 'id', type: 'STRING', duckdb: 'VARCHAR' },
        { name: 'n', type: 'INT', duckdb: 'INTEGER' },
        { name: 'big', type: 'LONG', duckdb: 'BIGINT' },
        { name: 'amount', type: 'DECIMAL(10,2)', duckdb: 'DECIMAL(10,2)' },
        { name: 'd', type: 'DATE', duckdb: 'DATE' },
        { name: 'ts', type: 'TIMESTAMP', duckdb: 'TIMESTAMP' },
        { name: 'ok', type: 'BOOLEAN', duckdb: 'BOOLEAN' },
        { name: 'we`ird', type: 'DOUBLE', duckdb: 'DOUBLE' },
      ],
    });
  });

  it('says what is wrong', () => {
    expect(parseFileSchema('')).toEqual({ problem: 'declares no columns' });
    expect(parseFileSchema('id STRING, id INT')).toEqual({ problem: 'declares column "id" twice' });
    expect(parseFileSchema('id')).toEqual({ problem: 'has a column "id" that is not `name TYPE`' });
    expect(parseFileSchema('tags ARRAY<STRING>')).toMatchObject({ problem: expect.stringContaining('is not `name TYPE`') });
  });

  it('finds the schema option whatever its case', () => {
    expect(declaredSchemaText({ Schema: 'a INT' })).toBe('a INT');
    expect(declaredSchemaText({ header: 'true' })).toBeUndefined();
    expect(declaredSchemaText(undefined)).toBeUndefined();
  });
});
