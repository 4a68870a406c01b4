// A materialized view whose rules only warn or fail keeps every row: it is written in one pass (no staging copy)
// and its rules are counted on the written table; a violated `fail` rule rolls the write back.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExpectationFailedError } from '../../src/errors/index.ts';
import { recordingSink } from '../../src/events/types.ts';
import { runTables } from '../../src/local/engine/index.ts';
import type { ExpectationModel, TableModel } from '../../src/model/types.ts';
import { bronze, CATALOG, workspace, writeParquet, type Workspace } from './engine-helpers.ts';

const gold = (expectations: ExpectationModel[]): TableModel => ({
  name: 'gold.totals',
  layer: 'gold',
  kind: 'materialized_view',
  query: 'SELECT k, sum(v) AS total FROM ${catalog}.bronze.raw GROUP BY k',
  expectations,
  quarantine_table: 'gold.totals_quarantine',
});

describe('materialized views checked in place', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
    await writeParquet(join(ws.landingDir, 'raw', 'a.parquet'), "SELECT * FROM (VALUES ('a', 1), ('b', 5), ('c', -2)) AS t(k, v)");
  });
  afterEach(() => ws.cleanup());

  it('writes every row in one pass and counts each rule on the written rows', async () => {
    const sink = recordingSink();
    const u = await runTables(ws.db, [bronze('bronze.raw', 'raw'), gold([{ name: 'positive', condition: 'total > 0', action: 'warn' }])], ws.options({ sink, traceSql: true }));
    const t = u.tables.find((r) => r.table === `${CATALOG}.gold.totals`)!;
    expect(t).toMatchObject({ rows_read: 3, rows_inserted: 3, rows_quarantined: 0 });
    expect(t.expectations).toEqual([{ dataset: 'gold.totals', expectation: 'positive', action: 'warn', passed_records: 2, failed_records: 1, dropped_records: 0 }]);
    expect(await ws.rows('SELECT k, total FROM gold.totals ORDER BY k')).toEqual([
      { k: 'a', total: 1 },
      { k: 'b', total: 5 },
      { k: 'c', total: -2 },
    ]);
    // The bronze table (no rules) and the view: no statement staged the view's rows in a temporary table.
    const sql = sink.events.filter((e) => e.code === 'log' && e.level === 'debug').map((e) => e.message);
    expect(sql.some((s) => s.includes('gold') && s.includes('__dbx_stage'))).toBe(false);
    expect(sql.filter((s) => s.startsWith('CREATE OR REPLACE TABLE') && s.includes('"gold"."totals"'))).toHaveLength(1);
    // The quarantine table exists, empty, as the pipeline creates it.
    expect(await ws.one('SELECT count(*) AS n FROM gold.totals_quarantine')).toEqual({ n: 0 });
  });

  it('a violated fail rule stops the update and leaves the view as it was', async () => {
    const tables = (action: 'warn' | 'fail') => [bronze('bronze.raw', 'raw'), gold([{ name: 'positive', condition: 'total > 0', action }])];
    await runTables(ws.db, tables('warn'), ws.options());
    await writeParquet(join(ws.landingDir, 'raw', 'b.parquet'), "SELECT * FROM (VALUES ('d', 4)) AS t(k, v)");
    const failing = runTables(ws.db, tables('fail'), ws.options());
    await expect(failing).rejects.toBeInstanceOf(ExpectationFailedError);
    await expect(failing).rejects.toMatchObject({ expectation: 'positive', sample: [{ k: 'c', total: -2 }] });
    expect(await ws.one('SELECT count(*) AS n FROM gold.totals')).toEqual({ n: 3 });
  });
});
