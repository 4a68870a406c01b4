// Skipping what did not change: a table whose definition and inputs are as they were when it was last computed is
// not computed again, and the event log says so; a changed input or definition recomputes it.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTables, type UpdateResult } from '../../src/local/engine/index.ts';
import { resetTables } from '../../src/local/engine/reset.ts';
import type { TableModel } from '../../src/model/types.ts';
import { recordingSink } from '../../src/events/types.ts';
import { bronze, CATALOG, workspace, writeParquet, type Workspace } from './engine-helpers.ts';

const SALES_SCHEMA = 'id STRING, store STRING, amount DOUBLE, ts TIMESTAMP';

function sales(rows: string): string {
  return `SELECT * FROM (VALUES ${rows}) AS t(id, store, amount, ts)`;
}

function tables(goldQuery = 'SELECT s.store, st.city, sum(s.amount) AS revenue, count(*) AS n FROM ${catalog}.silver.sales s LEFT JOIN ${catalog}.silver.stores st ON s.store = st.store GROUP BY ALL'): TableModel[] {
  return [
    bronze('bronze.sales_raw', 'sales', SALES_SCHEMA),
    bronze('bronze.stores_raw', 'stores', 'store STRING, city STRING'),
    {
      name: 'silver.sales',
      layer: 'silver',
      kind: 'streaming_table',
      source: { type: 'table', table: 'bronze.sales_raw' },
      columns: [
        { name: 'id', type: 'STRING' },
        { name: 'store', type: 'STRING' },
        { name: 'amount', type: 'DOUBLE' },
        { name: 'ts', type: 'TIMESTAMP' },
      ],
      expectations: [{ name: 'positive', condition: 'amount > 0', action: 'drop' }],
      dedupe: { keys: ['id'], sequence_by: 'ts' },
    },
    { name: 'silver.stores', layer: 'silver', kind: 'streaming_table', source: { type: 'table', table: 'bronze.stores_raw' }, expectations: [] },
    { name: 'gold.sales_by_store', layer: 'gold', kind: 'materialized_view', query: goldQuery, expectations: [{ name: 'has_city', condition: 'city IS NOT NULL', action: 'warn' }] },
    { name: 'gold.v_total', layer: 'gold', kind: 'view', query: 'SELECT sum(revenue) AS revenue FROM ${catalog}.gold.sales_by_store', expectations: [] },
  ];
}

const byTable = (u: UpdateResult) => Object.fromEntries(u.tables.map((t) => [t.table.replace(`${CATALOG}.`, ''), t]));

describe('skipping what did not change', () => {
  let ws: Workspace;
  // Rows without their commit version, which a recompute renews.
  const gold = () => ws.rows('SELECT * EXCLUDE (_commit_version) FROM gold.sales_by_store ORDER BY store');
  beforeEach(async () => {
    ws = await workspace();
    await writeParquet(join(ws.landingDir, 'sales', 'a.parquet'), sales(`('1', 'S1', 10.0, TIMESTAMP '2024-01-01'), ('2', 'S2', 5.0, TIMESTAMP '2024-01-01'), ('3', 'S1', -1.0, TIMESTAMP '2024-01-01')`));
    await writeParquet(join(ws.landingDir, 'stores', 'a.parquet'), `SELECT * FROM (VALUES ('S1', 'Oslo'), ('S2', 'Rome')) AS t(store, city)`);
  });
  afterEach(() => ws.cleanup());

  it('a rerun with no new data computes nothing, keeps every row, and the event log says skipped: inputs unchanged', async () => {
    const first = await runTables(ws.db, tables(), ws.options());
    expect(Object.values(byTable(first)).every((t) => t.refresh?.technique !== 'NO_OP')).toBe(true);
    const before = await gold();
    const historyBefore = await ws.rows('SELECT * FROM _system.table_history ORDER BY table_name, version');

    const sink = recordingSink();
    const second = await runTables(ws.db, tables(), ws.options({ sink, updateId: 'rerun' }));
    for (const t of second.tables) expect(t.refresh, t.table).toEqual({ technique: 'NO_OP', reason: t.kind === 'view' ? 'definition unchanged' : 'inputs unchanged' });
    expect(await gold()).toEqual(before);
    expect(await ws.rows('SELECT * FROM _system.table_history ORDER BY table_name, version')).toEqual(historyBefore);
    const logged = await ws.rows(
      "SELECT origin.flow_name AS flow, message, details FROM _system.event_log WHERE origin.update_id = 'rerun' AND event_type = 'planning_information' ORDER BY flow",
    );
    expect(logged.map((r) => r.flow)).toEqual(['bronze.sales_raw', 'bronze.stores_raw', 'gold.sales_by_store', 'gold.v_total', 'silver.sales', 'silver.stores']);
    expect(logged.find((r) => r.flow === 'gold.sales_by_store')!.message).toBe("Flow 'gold.sales_by_store' skipped: inputs unchanged.");
    expect(JSON.parse(String(logged[0]!.details)).planning_information.technique_information[0]).toMatchObject({ maintenance_type: 'MAINTENANCE_TYPE_NO_OP', is_chosen: true });
    // Nothing was read: no flow_progress rows for the rerun.
    expect(await ws.one("SELECT count(*) AS n FROM _system.event_log WHERE origin.update_id = 'rerun' AND event_type = 'flow_progress'")).toEqual({ n: 0 });
    expect(sink.events.filter((e) => e.code === 'table.refresh' && e.data.skipped)).toHaveLength(6);
  });

  it('new data recomputes the tables downstream of it and skips the others', async () => {
    await runTables(ws.db, tables(), ws.options());
    await writeParquet(join(ws.landingDir, 'sales', 'b.parquet'), sales(`('4', 'S2', 7.0, TIMESTAMP '2024-01-02'), ('1', 'S1', 12.0, TIMESTAMP '2024-01-03')`));
    const u = byTable(await runTables(ws.db, tables(), ws.options()));
    expect(u['bronze.stores_raw']!.refresh!.technique).toBe('NO_OP');
    expect(u['silver.stores']!.refresh!.technique).toBe('NO_OP');
    expect(u['silver.sales']!.rows_read).toBe(2);
    expect(u['gold.sales_by_store']!.refresh!.technique).not.toBe('NO_OP');
    expect(u['gold.sales_by_store']!.refresh!.reason).toMatch(/silver\.sales/);
    expect(await gold()).toEqual([
      { store: 'S1', city: 'Oslo', revenue: 12, n: 1 },
      { store: 'S2', city: 'Rome', revenue: 12, n: 2 },
    ]);
  });

  it('a changed definition (query or expectation) recomputes the table though its inputs did not change', async () => {
    await runTables(ws.db, tables(), ws.options());
    const changed = tables('SELECT s.store, st.city, max(s.amount) AS revenue, count(*) AS n FROM ${catalog}.silver.sales s LEFT JOIN ${catalog}.silver.stores st ON s.store = st.store GROUP BY ALL');
    const u = byTable(await runTables(ws.db, changed, ws.options()));
    expect(u['gold.sales_by_store']!.refresh).toEqual({ technique: 'COMPLETE_RECOMPUTE', reason: 'definition changed' });
    expect(u['silver.sales']!.refresh!.technique).toBe('NO_OP');
    expect((await gold()).map((r) => r.revenue)).toEqual([10, 5]);

    const stricter = changed.map((t) => (t.name === 'gold.sales_by_store' ? { ...t, expectations: [{ name: 'has_city', condition: 'city IS NOT NULL', action: 'drop' as const }] } : t));
    const again = byTable(await runTables(ws.db, stricter, ws.options()));
    expect(again['gold.sales_by_store']!.refresh!.reason).toBe('definition changed');
    expect(again['gold.sales_by_store']!.rows_inserted).toBe(2);
    // And once recorded, the new definition skips like any other.
    expect(byTable(await runTables(ws.db, stricter, ws.options()))['gold.sales_by_store']!.refresh!.technique).toBe('NO_OP');
  });

  it('a full refresh recomputes the tables it drops and those that read them', async () => {
    await runTables(ws.db, tables(), ws.options());
    const before = await gold();
    await resetTables(ws.db, tables().filter((t) => t.name === 'silver.stores'), CATALOG);
    const u = byTable(await runTables(ws.db, tables(), ws.options()));
    expect(u['silver.stores']!.refresh!.reason).toBe('first computation');
    expect(u['silver.sales']!.refresh!.technique).toBe('NO_OP');
    expect(u['gold.sales_by_store']!.refresh!.technique).not.toBe('NO_OP');
    expect(await gold()).toEqual(before);
  });

  it('a materialized view calling a volatile function is never skipped', async () => {
    const volatile = tables('SELECT s.store, st.city, sum(s.amount) AS revenue, now() AS computed_at FROM ${catalog}.silver.sales s LEFT JOIN ${catalog}.silver.stores st ON s.store = st.store GROUP BY ALL');
    await runTables(ws.db, volatile, ws.options());
    const u = byTable(await runTables(ws.db, volatile, ws.options()));
    expect(u['gold.sales_by_store']!.refresh).toEqual({ technique: 'COMPLETE_RECOMPUTE', reason: 'its definition calls now(), whose value changes between runs' });
  });
});
