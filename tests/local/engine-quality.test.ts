// Expectations (warn / drop / fail), schema enforcement, filters, SCD1 dedupe across updates,
// materialized views and views, dependency order and the accounting check.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runTables } from '../../src/local/engine/index.ts';
import type { UpdateResult } from '../../src/local/engine/index.ts';
import { checkIdentity, emptyCounts } from '../../src/local/engine/accounting.ts';
import { dependencyOrder } from '../../src/local/engine/order.ts';
import { ExpectationFailedError, RunFailedError, UserError } from '../../src/errors/index.ts';
import type { ExpectationModel, TableModel } from '../../src/model/types.ts';
import { bronze, CATALOG, workspace, writeParquet } from './engine-helpers.ts';
import type { Workspace } from './engine-helpers.ts';

/** Orders: id, qty (some bad), price as text (some not numbers), placed_at, version. */
const ORDERS = `SELECT * FROM (VALUES
  ('o1', 2, '10.50', '2024-01-01 10:00:00', 1),
  ('o2', -1, '5.00', '2024-01-01 11:00:00', 1),
  ('o3', 1, 'free', '2024-01-01 12:00:00', 1),
  ('o4', 0, 'n/a', '2024-01-02 09:00:00', 1),
  ('o5', 3, NULL, '2024-01-02 10:00:00', 1),
  ('o6', 1, '7.25', '2024-01-03 10:00:00', 1),
  ('o7', 5, '1.00', '2024-01-03 11:00:00', 1)
) AS t(order_id, qty, price, placed_at, version)`;

function silverOrders(expectations: ExpectationModel[], extra: Partial<TableModel> = {}): TableModel {
  return {
    name: 'silver.orders',
    layer: 'silver',
    kind: 'streaming_table',
    source: { type: 'table', table: 'bronze.orders_raw' },
    columns: [
      { name: 'order_id', type: 'STRING' },
      { name: 'qty', type: 'INT' },
      { name: 'price', type: 'DECIMAL(10,2)', expression: 'trim(price)' },
      { name: 'placed_at', type: 'TIMESTAMP' },
      { name: 'version', type: 'INT' },
    ],
    expectations,
    quarantine_table: 'silver.orders_quarantine',
    ...extra,
  };
}

describe('expectations and schema enforcement', () => {
  let ws: Workspace;
  const pipeline = (silver: TableModel) => [bronze('bronze.orders_raw', 'orders'), silver];
  const result = (u: UpdateResult, name: string) => u.tables.find((t) => t.table === `${CATALOG}.${name}`)!;

  beforeEach(async () => {
    ws = await workspace();
    await writeParquet(join(ws.landingDir, 'orders', 'o.parquet'), ORDERS);
  });
  afterEach(() => ws.cleanup());

  it('warn keeps failing rows and counts them; drop removes, counts and quarantines them', async () => {
    const u = await runTables(
      ws.db,
      pipeline(silverOrders([
        { name: 'positive_qty', condition: 'qty > 0', action: 'drop' },
        { name: 'early_order', condition: "placed_at < TIMESTAMP '2024-01-03'", action: 'warn' },
      ])),
      ws.options(),
    );
    const silver = result(u, 'silver.orders');
    const metric = (name: string) => silver.expectations.find((m) => m.expectation === name);
    // Casts: 'free' and 'n/a' do not cast (quarantined); NULL stays NULL (nothing to cast).
    expect(metric('cast:price')).toMatchObject({ action: 'drop', failed_records: 2, passed_records: 5, dropped_records: 2 });
    // Expectations are measured on the rows that cast cleanly (o3 and o4 did not).
    expect(metric('positive_qty')).toMatchObject({ action: 'drop', failed_records: 1, passed_records: 4, dropped_records: 1 });
    expect(metric('early_order')).toMatchObject({ action: 'warn', failed_records: 2, passed_records: 3, dropped_records: 0 });
    expect(silver).toMatchObject({ rows_read: 7, rows_inserted: 4, rows_quarantined: 3, duplicates_removed: 0, rows_filtered: 0 });

    expect((await ws.rows('SELECT order_id FROM silver.orders ORDER BY order_id')).map((r) => r.order_id)).toEqual(['o1', 'o5', 'o6', 'o7']);
    expect(await ws.one("SELECT price FROM silver.orders WHERE order_id = 'o5'")).toEqual({ price: null });
    const quarantined = await ws.rows(
      'SELECT order_id, qty, price, _failed_rules, _quarantined_at IS NOT NULL AS stamped FROM silver.orders_quarantine ORDER BY order_id',
    );
    // Source values as text under the declared names, as the generated pipeline and notebook store them.
    expect(quarantined).toEqual([
      { order_id: 'o2', qty: '-1', price: '5.00', _failed_rules: ['positive_qty'], stamped: true },
      { order_id: 'o3', qty: '1', price: 'free', _failed_rules: ['cast:price'], stamped: true },
      { order_id: 'o4', qty: '0', price: 'n/a', _failed_rules: ['cast:price'], stamped: true },
    ]);
    const schema = (await ws.rows('DESCRIBE silver.orders_quarantine')).map((r) => [r.column_name, r.column_type]);
    expect(schema).toEqual([
      ['order_id', 'VARCHAR'],
      ['qty', 'VARCHAR'],
      ['price', 'VARCHAR'],
      ['placed_at', 'VARCHAR'],
      ['version', 'VARCHAR'],
      ['_failed_rules', 'VARCHAR[]'],
      ['_quarantined_at', 'TIMESTAMP'],
    ]);
  });

  it('fail stops the update, names the expectation, samples at most 5 rows and writes nothing', async () => {
    const failing = silverOrders([{ name: 'tiny_orders', condition: 'qty < 2', action: 'fail' }], { quarantine_table: undefined });
    const error = await runTables(ws.db, pipeline(failing), ws.options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpectationFailedError);
    const failure = error as ExpectationFailedError;
    expect(failure.expectation).toBe('tiny_orders');
    expect(failure.dataset).toBe('silver.orders');
    expect(failure.message).toContain('tiny_orders');
    expect(failure.sample.map((r) => r.order_id).sort()).toEqual(['o1', 'o5', 'o7']);

    const bigger = `SELECT 'b' || range AS order_id, 9 AS qty, '1.00' AS price, '2024-02-01 00:00:00' AS placed_at, 1 AS version FROM range(20)`;
    await writeParquet(join(ws.landingDir, 'orders', 'p.parquet'), bigger);
    const again = (await runTables(ws.db, pipeline(failing), ws.options()).catch((e: unknown) => e)) as ExpectationFailedError;
    expect(again.sample).toHaveLength(5);

    expect(await ws.rows("SELECT * FROM duckdb_tables() WHERE table_name = 'orders' AND schema_name = 'silver'")).toEqual([]);
    const flows = await ws.rows(
      "SELECT json_extract_string(details, '$.flow_progress.status') AS status, level FROM _system.event_log WHERE origin.flow_name = 'silver.orders'",
    );
    expect(flows).toEqual([
      { status: 'FAILED', level: 'ERROR' },
      { status: 'FAILED', level: 'ERROR' },
    ]);
    // The silver consumer's offset did not move: once the rule is relaxed, all bronze rows are read.
    const relaxed = silverOrders([{ name: 'tiny_orders', condition: 'qty < 100', action: 'fail' }]);
    const ok = await runTables(ws.db, pipeline(relaxed), ws.options());
    expect(result(ok, 'silver.orders').rows_read).toBe(27);
  });

  it('counts rows left out by the where filter without evaluating rules on them', async () => {
    const u = await runTables(ws.db, pipeline(silverOrders([{ name: 'positive_qty', condition: 'qty > 0', action: 'drop' }], { where: "order_id <> 'o2'" })), ws.options());
    expect(result(u, 'silver.orders')).toMatchObject({ rows_read: 7, rows_filtered: 1, rows_quarantined: 2, rows_inserted: 4 });
  });

  it('rejects an expression that does not compile as a user error', async () => {
    const broken = silverOrders([]);
    broken.columns = [{ name: 'qty', type: 'INT', expression: 'no_such_column + 1' }];
    await expect(runTables(ws.db, pipeline(broken), ws.options())).rejects.toBeInstanceOf(UserError);
  });
});

describe('SCD type 1 dedupe across updates', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
  });
  afterEach(() => ws.cleanup());

  const customers = (): TableModel[] => [
    bronze('bronze.customers_raw', 'customers'),
    {
      name: 'silver.customers',
      layer: 'silver',
      kind: 'streaming_table',
      source: { type: 'table', table: 'bronze.customers_raw' },
      columns: [
        { name: 'id', type: 'STRING' },
        { name: 'email', type: 'STRING' },
        { name: 'seq', type: 'INT' },
      ],
      expectations: [],
      dedupe: { keys: ['id'], sequence_by: 'seq' },
    },
  ];
  const write = (name: string, rows: string) => writeParquet(join(ws.landingDir, 'customers', name), `SELECT * FROM (VALUES ${rows}) AS t(id, email, seq)`);

  it('keeps one row per key: newest wins, exact copies collapse, late older rows are stale', async () => {
    await write('1.parquet', "('a', 'a1@x', 1), ('a', 'a1@x', 1), ('b', 'b1@x', 1), ('a', 'a2@x', 2)");
    const first = await runTables(ws.db, customers(), ws.options());
    expect(first.tables[1]).toMatchObject({ rows_read: 4, rows_inserted: 2, rows_updated: 0, duplicates_removed: 2 });

    await write('2.parquet', "('b', 'b3@x', 3), ('a', 'a0@x', 0), ('c', 'c1@x', 1), ('a', 'a2@x', 2)");
    const second = await runTables(ws.db, customers(), ws.options());
    // b is newer (update), a@0 and a@2 are not newer than the stored a@2 (stale), c is new.
    expect(second.tables[1]).toMatchObject({ rows_read: 4, rows_inserted: 1, rows_updated: 1, duplicates_removed: 2 });
    const rows = await ws.rows('SELECT id, email, seq, _commit_version FROM silver.customers ORDER BY id');
    expect(rows).toEqual([
      { id: 'a', email: 'a2@x', seq: 2, _commit_version: 1 },
      { id: 'b', email: 'b3@x', seq: 3, _commit_version: 2 },
      { id: 'c', email: 'c1@x', seq: 1, _commit_version: 2 },
    ]);
    const history = await ws.rows("SELECT version, operation, rows_written FROM _system.table_history WHERE table_name LIKE '%silver.customers' ORDER BY version");
    expect(history).toEqual([
      { version: 1, operation: 'MERGE', rows_written: 2 },
      { version: 2, operation: 'MERGE', rows_written: 2 },
    ]);
  });
});

describe('materialized views, views and order', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
    await writeParquet(join(ws.landingDir, 'sales', 's1.parquet'), "SELECT * FROM (VALUES ('x', 2), ('y', 3), ('x', 5)) AS t(k, v)");
  });
  afterEach(() => ws.cleanup());

  const tables = (): TableModel[] => [
    // Deliberately listed before what it reads: the engine orders by dependencies.
    { name: 'gold.v_total', layer: 'gold', kind: 'view', query: 'SELECT sum(total) AS total FROM ${catalog}.gold.by_key', expectations: [] },
    {
      name: 'gold.by_key',
      layer: 'gold',
      kind: 'materialized_view',
      query: 'SELECT k, sum(v) AS total FROM ${catalog}.bronze.sales_raw GROUP BY k',
      expectations: [{ name: 'big_enough', condition: 'total > 3', action: 'drop' }],
    },
    bronze('bronze.sales_raw', 'sales'),
  ];

  it('refreshes materialized views from their query each update (the keys that changed); views follow', async () => {
    const u1 = await runTables(ws.db, tables(), ws.options());
    expect(u1.tables.map((t) => t.table.split('.').slice(1).join('.'))).toEqual(['bronze.sales_raw', 'gold.by_key', 'gold.v_total']);
    expect(u1.tables[1]).toMatchObject({ rows_read: 2, rows_inserted: 1, rows_quarantined: 1 });
    expect(await ws.one('SELECT total FROM gold.v_total')).toEqual({ total: 7 });

    await writeParquet(join(ws.landingDir, 'sales', 's2.parquet'), "SELECT * FROM (VALUES ('y', 10)) AS t(k, v)");
    const u2 = await runTables(ws.db, tables(), ws.options());
    // Only key y got new rows: its group is recomputed from all its rows (and now passes), x's stays as it was.
    expect(u2.tables[1]).toMatchObject({ rows_read: 1, rows_inserted: 1, rows_removed: 0, rows_quarantined: 0, refresh: { technique: 'ROW_BASED' } });
    expect(await ws.one('SELECT total FROM gold.v_total')).toEqual({ total: 20 });
    expect(await ws.one("SELECT table_type FROM information_schema.tables WHERE table_name = 'v_total'")).toEqual({ table_type: 'VIEW' });
  });

  it('refuses a dependency cycle', () => {
    const a: TableModel = { name: 'silver.a', layer: 'silver', kind: 'materialized_view', query: 'SELECT * FROM ${catalog}.silver.b', expectations: [] };
    const b: TableModel = { name: 'silver.b', layer: 'silver', kind: 'materialized_view', query: 'SELECT * FROM silver.a', expectations: [] };
    expect(() => dependencyOrder([a, b], CATALOG)).toThrow(UserError);
  });
});

describe('accounting check', () => {
  it('fails the update when the counts do not add up, and when the input count disagrees', () => {
    const counts = { ...emptyCounts(), rows_read: 10, rows_inserted: 7, rows_quarantined: 2 };
    expect(() => checkIdentity('t', counts, null)).toThrow(RunFailedError);
    expect(() => checkIdentity('t', { ...counts, duplicates_removed: 1 }, null)).not.toThrow();
    expect(() => checkIdentity('t', { ...counts, duplicates_removed: 1 }, 11)).toThrow(/source holds 11 rows/);
  });
});
