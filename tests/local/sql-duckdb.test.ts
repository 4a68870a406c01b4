import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbSql } from '../../src/sql/duckdb.ts';
import { rewriteNamedParams } from '../../src/sql/params.ts';
import { UserError } from '../../src/errors/index.ts';

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe('rewriteNamedParams', () => {
  const names = new Set(['id', 'day']);

  it('rewrites :name markers to DuckDB $name', () => {
    const { sql, used } = rewriteNamedParams('SELECT * FROM t WHERE id = :id AND d >= :day', names);
    expect(sql).toBe('SELECT * FROM t WHERE id = $id AND d >= $day');
    expect([...used].sort()).toEqual(['day', 'id']);
  });

  it('leaves casts, strings, quoted identifiers, comments and unknown names alone', () => {
    const input = `SELECT x::INT, ':id', ":id", raw:field, :other -- :id\n/* :day */ FROM t WHERE a = 'it''s :id' AND b = :id`;
    const { sql } = rewriteNamedParams(input, names);
    expect(sql).toBe(`SELECT x::INT, ':id', ":id", raw:field, :other -- :id\n/* :day */ FROM t WHERE a = 'it''s :id' AND b = $id`);
  });
});

describe('DuckDbSql', () => {
  let dir: string;
  let client: DuckDbSql;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dbx-sql-'));
    client = await DuckDbSql.open(join(dir, 'test.duckdb'));
  });
  afterEach(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams a result larger than one DuckDB chunk, in order', async () => {
    // DuckDB vectors hold 2048 rows; 50 000 rows span many chunks.
    let count = 0;
    let sum = 0;
    let ordered = true;
    for await (const row of client.query('SELECT range AS n, range::VARCHAR AS s FROM range(50000)')) {
      if (row.n !== count) ordered = false;
      expect(row.s).toBe(String(row.n));
      sum += row.n as number;
      count++;
    }
    expect(count).toBe(50000);
    expect(sum).toBe((49999 * 50000) / 2);
    expect(ordered).toBe(true);
  });

  it('lets a consumer stop early and run the next query on the same connection', async () => {
    const seen: unknown[] = [];
    for await (const row of client.query('SELECT range AS n FROM range(100000)')) {
      seen.push(row.n);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([0, 1, 2]);
    const [row] = await all(client.query('SELECT 42 AS answer'));
    expect(row).toEqual({ answer: 42 });
  });

  it('binds named :parameters of several types', async () => {
    const rows = await all(
      client.query(
        'SELECT :name AS name, :n + 1 AS n, :big AS big, :flag AS flag, :at::VARCHAR AS at, :missing IS NULL AS missing',
        { name: "o'brien", n: 41, big: 9007199254740993n, flag: true, at: new Date('2024-03-01T12:00:00Z'), missing: null },
      ),
    );
    expect(rows).toEqual([
      { name: "o'brien", n: 42, big: '9007199254740993', flag: true, at: '2024-03-01 12:00:00', missing: true },
    ]);
  });

  it('runs a script: earlier statements first, rows from the last one, parameters in any statement', async () => {
    const rows = await all(
      client.query('CREATE TABLE t AS SELECT range AS id FROM range(10); DELETE FROM t WHERE id < :cut; SELECT count(*) AS n FROM t', {
        cut: 4,
      }),
    );
    expect(rows).toEqual([{ n: 6 }]);
  });

  it('keeps exact values: big integers and decimals as strings when a number would round', async () => {
    const [row] = await all(
      client.query(
        "SELECT 123::BIGINT AS small, 9007199254740993::BIGINT AS big, 12.50::DECIMAL(10,2) AS price, 12345678901234567.89::DECIMAL(38,2) AS wide, DATE '2024-02-29' AS d, TIMESTAMP '2024-02-29 10:11:12' AS ts, [1,2] AS l, {'a': 1} AS s",
      ),
    );
    expect(row).toEqual({
      small: 123,
      big: '9007199254740993',
      price: 12.5,
      wide: '12345678901234567.89',
      d: '2024-02-29',
      ts: '2024-02-29 10:11:12',
      l: [1, 2],
      s: { a: 1 },
    });
  });

  it('describes columns without running the statement', async () => {
    const columns = await client.queryColumns('SELECT 1::INT AS a, \'x\' AS b, 2.5::DECIMAL(4,1) AS c WHERE :p', { p: true });
    expect(columns).toEqual([
      { name: 'a', type: 'INTEGER' },
      { name: 'b', type: 'VARCHAR' },
      { name: 'c', type: 'DECIMAL(4,1)' },
    ]);
  });

  it('reports a missing parameter as a user error', async () => {
    await expect(all(client.query('SELECT $p AS x'))).rejects.toBeInstanceOf(UserError);
  });

  it('serialises concurrent queries instead of breaking a stream', async () => {
    const [a, b] = await Promise.all([
      all(client.query('SELECT range AS n FROM range(10000)')),
      all(client.query('SELECT range AS n FROM range(5000)')),
    ]);
    expect(a).toHaveLength(10000);
    expect(b).toHaveLength(5000);
  });
});
