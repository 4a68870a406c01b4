// Runs the cleansing plan's SQL (DuckDB dialect) on dirty rows: schema enforcement, the clean / quarantine
// split and the metrics, as the pipeline, the notebooks and the local engine apply them.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableModel } from '../../src/model/types.ts';
import { tableSemantics } from '../../src/model/table-semantics.ts';
import { cleansePlan, quarantineColumns } from '../../src/synth/cleanse-code.ts';

const table: TableModel = {
  name: 'silver.sales',
  layer: 'silver',
  kind: 'streaming_table',
  source: { type: 'table', table: 'bronze.sales_raw' },
  columns: [
    { name: 'id', type: 'STRING', expression: 'upper(trim(id))' },
    { name: 'qty', type: 'INT' },
    { name: 'price', type: 'DECIMAL(10,2)' },
    { name: 'channel', type: 'STRING' },
  ],
  where: "id <> 'TEST'",
  expectations: [
    { name: 'has_id', condition: 'id IS NOT NULL', action: 'drop' },
    { name: 'positive_qty', condition: 'qty > 0', action: 'drop' },
    { name: 'known_channel', condition: "channel IN ('store', 'online')", action: 'warn' },
  ],
  quarantine_table: 'silver.sales_quarantine',
};

// id, qty, price, channel
const ROWS: (string | null)[][] = [
  [' a1 ', '2', '9.99', 'store'], // clean
  ['a2', 'two', '5.00', 'online'], // qty does not cast
  ['a3', '-1', '1.00', 'store'], // breaks positive_qty
  [null, '1', '1.00', 'fax'], // breaks has_id; channel warns
  ['a5', '3', 'cheap', 'online'], // price does not cast
  ['test', '1', '1.00', 'store'], // out of scope: neither clean nor quarantined
  ['test', 'x', '1.00', 'store'], // out of scope but uncastable: quarantined
  ['a8', null, null, 'kiosk'], // NULL qty breaks positive_qty (NULL counts as broken)
  // A NULL id makes `where` NULL: the row stays in scope (and breaks has_id) rather than vanishing.
];

let conn: DuckDBConnection;

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
  await conn.run('CREATE TABLE src (id VARCHAR, qty VARCHAR, price VARCHAR, channel VARCHAR)');
  const lit = (v: string | null) => (v === null ? 'NULL' : `'${v}'`);
  await conn.run(`INSERT INTO src VALUES ${ROWS.map((r) => `(${r.map(lit).join(', ')})`).join(', ')}`);
});

afterAll(() => conn.closeSync());

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

const plan = cleansePlan(tableSemantics(table), 'duckdb');
const checked = `(SELECT ${plan.checkedSelect.join(', ')} FROM src) AS checked`;

describe('cleansePlan on DuckDB', () => {
  it('keeps rows that cast, are in scope and pass every drop rule, typed', async () => {
    const clean = await rows(`SELECT ${plan.cleanSelect.join(', ')} FROM ${checked} WHERE ${plan.clean} ORDER BY id`);
    expect(clean).toEqual([{ id: 'A1', qty: 2, price: '9.99', channel: 'store' }]);
  });

  it('quarantines uncastable rows and broken drop rules with source values as text and the rule names', async () => {
    const q = await rows(
      `SELECT ${plan.quarantineSelect.join(', ')} FROM ${checked} WHERE ${plan.quarantine} ORDER BY id NULLS FIRST, qty`,
    );
    const slim = q.map((r) => ({ id: r.id, qty: r.qty, price: r.price, rules: r._failed_rules }));
    expect(slim).toEqual([
      { id: null, qty: '1', price: '1.00', rules: ['has_id'] },
      // A failed cast leaves NULL, which says nothing about positive_qty: only the cast rule is listed.
      { id: 'A2', qty: 'two', price: '5.00', rules: ['cast:qty'] },
      { id: 'A3', qty: '-1', price: '1.00', rules: ['positive_qty'] },
      { id: 'A5', qty: '3', price: 'cheap', rules: ['cast:price'] },
      { id: 'A8', qty: null, price: null, rules: ['positive_qty'] },
      { id: 'TEST', qty: 'x', price: '1.00', rules: ['cast:qty'] },
    ]);
    expect(q.every((r) => typeof r._quarantined_at === 'string')).toBe(true);
    expect(Object.keys(q[0]!)).toEqual(quarantineColumns(tableSemantics(table)).map((c) => c.name));
  });

  it('loses no in-scope row: every row is clean, quarantined, or filtered out by where', async () => {
    const [counts] = await rows(
      `SELECT count_if(${plan.clean}) AS clean, count_if(${plan.quarantine}) AS quarantined,
              count_if((${plan.clean}) AND (${plan.quarantine})) AS both, count(*) AS total FROM ${checked}`,
    );
    expect(counts).toEqual({ clean: '1', quarantined: '6', both: '0', total: '8' });
  });

  it('measures each rule on the rows it applies to', async () => {
    const select = plan.metrics.flatMap((m, i) => [`${m.evaluated} AS e${i}`, `${m.failed} AS f${i}`]);
    const [r] = await rows(`SELECT ${select.join(', ')} FROM ${checked}`);
    const byRule = Object.fromEntries(
      plan.metrics.map((m, i) => [m.rule, { action: m.action, evaluated: Number(r![`e${i}`]), failed: Number(r![`f${i}`]) }]),
    );
    expect(byRule).toEqual({
      'cast:qty': { action: 'drop', evaluated: 8, failed: 2 },
      'cast:price': { action: 'drop', evaluated: 8, failed: 1 },
      // Expectations count rows that cast cleanly and are in scope: A1, A3, null id, A8.
      has_id: { action: 'drop', evaluated: 4, failed: 1 },
      positive_qty: { action: 'drop', evaluated: 4, failed: 2 },
      known_channel: { action: 'warn', evaluated: 4, failed: 2 },
    });
  });

  it('passes rows through untouched when no columns are declared', async () => {
    const untyped = cleansePlan(
      tableSemantics({ ...table, columns: undefined, where: undefined, expectations: [{ name: 'has_id', condition: 'id IS NOT NULL', action: 'drop' }] }),
      'duckdb',
    );
    expect(untyped.checkedSelect).toEqual(['*']);
    const clean = await rows(`SELECT ${untyped.cleanSelect.join(', ')} FROM (SELECT ${untyped.checkedSelect.join(', ')} FROM src) AS c WHERE ${untyped.clean}`);
    expect(clean).toHaveLength(ROWS.length - 1);
    expect(clean[0]).toEqual({ id: ' a1 ', qty: '2', price: '9.99', channel: 'store' });
  });
});
