import { describe, expect, it } from 'vitest';
import { formatRows } from '../../src/sql/format.ts';
import type { OutputFormat } from '../../src/sql/format.ts';
import { DuckDbSql } from '../../src/sql/duckdb.ts';
import type { SqlRow } from '../../src/sql/types.ts';

async function* from(rows: SqlRow[]): AsyncGenerator<SqlRow> {
  yield* rows;
}

async function text(rows: AsyncIterable<SqlRow>, format: OutputFormat, options = {}): Promise<string> {
  let out = '';
  for await (const piece of formatRows(rows, format, options)) out += piece;
  return out;
}

const sample: SqlRow[] = [
  { id: 1, name: 'plain', note: null },
  { id: 22, name: 'has, comma', note: 'say "hi"\nbye' },
  { id: 9007199254740993n, name: 'big', note: { nested: [1, 2] } },
];

describe('formatRows', () => {
  it('writes RFC 4180 CSV with quoting where needed', async () => {
    expect(await text(from(sample), 'csv')).toBe(
      'id,name,note\r\n1,plain,\r\n22,"has, comma","say ""hi""\nbye"\r\n9007199254740993,big,"{""nested"":[1,2]}"\r\n',
    );
  });

  it('writes NDJSON and a JSON array that parse back to the rows', async () => {
    const nd = await text(from(sample), 'ndjson');
    const lines = nd.trimEnd().split('\n').map((l) => JSON.parse(l) as SqlRow);
    expect(lines[1]).toEqual(sample[1]);
    expect(lines[2]!.id).toBe('9007199254740993');
    const arr = JSON.parse(await text(from(sample), 'json')) as SqlRow[];
    expect(arr).toHaveLength(3);
    expect(arr[0]).toEqual(sample[0]);
    expect(JSON.parse(await text(from([]), 'json'))).toEqual([]);
  });

  it('prints an aligned table like every dbx-ts table: numbers right-aligned, nothing cut, NULL shown', async () => {
    const out = await text(from(sample), 'table');
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('id                name        note');
    expect(lines[1]).toBe('----------------  ----------  ----------------');
    expect(lines[2]).toBe('               1  plain       NULL');
    expect(lines[3]).toBe('              22  has, comma  say "hi"\\nbye');
    expect(lines[4]).toBe('9007199254740993  big         {"nested":[1,2]}');
    expect(lines.at(-1)).toBe('(3 rows)');
  });

  it('measures display width: wide characters take two columns', async () => {
    const out = await text(from([{ city: '東京', n: 1 }, { city: 'Paris', n: 2 }]), 'table');
    const lines = out.trimEnd().split('\n');
    expect(lines[2]).toBe('東京   1');
    expect(lines[3]).toBe('Paris  2');
  });

  it('prints a header for an empty result when columns are known', async () => {
    expect(await text(from([]), 'csv', { columns: ['a', 'b'] })).toBe('a,b\r\n');
    expect(await text(from([]), 'table')).toBe('(0 rows)\n');
  });

  it('streams a large DuckDB result as CSV piece by piece', async () => {
    const client = await DuckDbSql.open(':memory:');
    try {
      let pieces = 0;
      let lines = 0;
      for await (const piece of formatRows(client.query('SELECT range AS n, md5(range::VARCHAR) AS h FROM range(30000)'), 'csv')) {
        pieces++;
        lines += piece.split('\r\n').length - 1;
      }
      expect(lines).toBe(30001);
      expect(pieces).toBeGreaterThan(1);
    } finally {
      await client.close();
    }
  });
});
