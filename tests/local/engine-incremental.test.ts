// Incremental refresh of materialized views: on randomized sequences of appended batches (new rows, rows
// re-delivered as they were, late rows older than the stored ones, corrections newer than them, and now and then a
// changed dimension), every materialized view refreshed incrementally holds exactly what its query gives over the
// same data, after every update; and each technique is actually chosen.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTables, substituteCatalog } from '../../src/local/engine/index.ts';
import type { TableModel } from '../../src/model/types.ts';
import { bronze, CATALOG, workspace, writeParquet, type Workspace } from './engine-helpers.ts';
import { seededRandom as rng } from '../../src/seeded-random.ts';

const EVENT_SCHEMA = 'id STRING, grp STRING, amount DECIMAL(10,2), ts TIMESTAMP';

const GOLD: Record<string, string> = {
  // Dedupe by key, latest wins, over an append-only log: ROW_BASED.
  'gold.latest_from_log': 'SELECT * FROM ${catalog}.silver.events_log QUALIFY row_number() OVER (PARTITION BY id ORDER BY ts DESC, amount DESC) = 1',
  // Batch and stream of the same transactions, one row per id, joined with a dimension: ROW_BASED.
  'gold.enriched': `WITH both_sources AS (
      SELECT id, grp, amount, ts, 'a' AS src FROM \${catalog}.silver.events
      UNION ALL
      SELECT id, grp, amount, ts, 'b' AS src FROM \${catalog}.silver.events_log
    ), latest AS (SELECT * FROM both_sources QUALIFY row_number() OVER (PARTITION BY id ORDER BY ts DESC, src DESC, amount DESC) = 1)
    SELECT l.id, l.amount, l.src, coalesce(d.label, 'none') AS label FROM latest l LEFT JOIN \${catalog}.silver.dims d ON l.grp = d.grp`,
  // Mergeable aggregates over an append-only log: GROUP_AGGREGATE.
  'gold.by_group': 'SELECT grp, sum(amount) AS total, count(*) AS n, min(ts) AS first_ts, max(amount) AS biggest FROM ${catalog}.silver.events_log GROUP BY grp',
  // Rows of an append-only log joined with a dimension: APPEND_ONLY.
  'gold.positive_log': "SELECT l.id, l.amount, coalesce(d.label, 'none') AS label FROM ${catalog}.silver.events_log l LEFT JOIN ${catalog}.silver.dims d ON l.grp = d.grp WHERE l.amount > 0",
  // Over another materialized view: GROUP_AGGREGATE or APPEND_ONLY when it only gained rows, else in full.
  'gold.enriched_by_label': 'SELECT label, sum(amount) AS total, count(*) AS n, min(amount) AS smallest FROM ${catalog}.gold.enriched GROUP BY label',
  'gold.enriched_positive': 'SELECT id, amount, label FROM ${catalog}.gold.enriched WHERE amount > 0',
};

/** A materialized view's rows as its query gives them: without the commit version each written row carries. */
const withoutVersion = (sql: string) => `SELECT COLUMNS(c -> c <> '_commit_version') FROM (${sql})`;

function tables(): TableModel[] {
  const silver = (name: string, source: string, extra: Partial<TableModel> = {}): TableModel => ({
    name,
    layer: 'silver',
    kind: 'streaming_table',
    source: { type: 'table', table: source },
    expectations: [],
    ...extra,
  });
  return [
    bronze('bronze.events_raw', 'events', EVENT_SCHEMA),
    bronze('bronze.dims_raw', 'dims', 'grp STRING, label STRING, version INT'),
    silver('silver.events', 'bronze.events_raw', { dedupe: { keys: ['id'], sequence_by: 'ts' } }),
    silver('silver.events_log', 'bronze.events_raw'),
    silver('silver.dims', 'bronze.dims_raw', { dedupe: { keys: ['grp'], sequence_by: 'version' } }),
    ...Object.entries(GOLD).map(([name, query]): TableModel => ({ name, layer: 'gold', kind: 'materialized_view', query, expectations: [] })),
  ];
}


interface Row {
  id: string;
  grp: string;
  amount: string;
  ts: number;
}

/** One batch: new rows, exact re-deliveries, late (older) versions and newer corrections of earlier ids. */
function batch(random: () => number, sent: Row[], start: number): Row[] {
  const pick = () => sent[Math.floor(random() * sent.length)]!;
  const rows: Row[] = [];
  const size = 5 + Math.floor(random() * 20);
  for (let i = 0; i < size; i++) {
    const r = random();
    const amount = (Math.floor(random() * 20000) / 100 - 20).toFixed(2);
    if (sent.length === 0 || r < 0.5) rows.push({ id: `t${start + i}`, grp: `g${Math.floor(random() * 4)}`, amount, ts: 1000 + Math.floor(random() * 500) });
    else if (r < 0.7) rows.push({ ...pick() });
    else if (r < 0.85) {
      const old = pick();
      rows.push({ ...old, amount, ts: old.ts - 1 - Math.floor(random() * 50) });
    } else {
      const old = pick();
      rows.push({ ...old, amount, grp: `g${Math.floor(random() * 4)}`, ts: old.ts + 1 + Math.floor(random() * 50) });
    }
  }
  return rows;
}

const values = (rows: Row[]) =>
  `SELECT * FROM (VALUES ${rows.map((r) => `('${r.id}', '${r.grp}', CAST(${r.amount} AS DECIMAL(10,2)), TIMESTAMP '2024-01-01' + INTERVAL (${r.ts}) MINUTE)`).join(', ')}) AS t(id, grp, amount, ts)`;

describe('incremental materialized views', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
  });
  afterEach(() => ws.cleanup());

  const sorted = async (sql: string) => ws.rows(`SELECT * FROM (${sql}) ORDER BY ALL`);

  it.each([1, 2])('equal a full recompute after every update (seed %i)', async (seed) => {
    const random = rng(seed);
    const sent: Row[] = [];
    const techniques = new Set<string>();
    let dims = 0;
    const landDims = async () => {
      dims++;
      const labels = [0, 1, 2].map((g) => `('g${g}', 'label${g}v${dims}', ${dims})`).join(', ');
      await writeParquet(join(ws.landingDir, 'dims', `d${dims}.parquet`), `SELECT * FROM (VALUES ${labels}) AS t(grp, label, version)`);
    };
    await landDims();
    for (let b = 0; b < 4; b++) {
      const rows = batch(random, sent, sent.length);
      sent.push(...rows);
      await writeParquet(join(ws.landingDir, 'events', `e${b}.parquet`), values(rows));
      if (b > 0 && random() < 0.2) await landDims();
      const update = await runTables(ws.db, tables(), ws.options());
      for (const t of update.tables) if (t.kind === 'materialized_view') techniques.add(t.refresh!.technique);
      for (const [name, query] of Object.entries(GOLD)) {
        expect(await sorted(withoutVersion(`SELECT * FROM ${name}`)), `${name} after batch ${b} (seed ${seed})`).toEqual(await sorted(withoutVersion(substituteCatalog(query, CATALOG))));
      }
    }
    expect([...techniques].sort()).toEqual(expect.arrayContaining(['APPEND_ONLY', 'GROUP_AGGREGATE', 'ROW_BASED']));
  });

  it('says why a view is recomputed in full: a query shape that does not refresh incrementally', async () => {
    const limited: TableModel = { name: 'gold.top', layer: 'gold', kind: 'materialized_view', query: 'SELECT id, amount FROM ${catalog}.silver.events_log ORDER BY amount DESC LIMIT 3', expectations: [] };
    const all = [...tables(), limited];
    await writeParquet(join(ws.landingDir, 'events', 'a.parquet'), values([{ id: 't1', grp: 'g1', amount: '5.00', ts: 1 }]));
    await writeParquet(join(ws.landingDir, 'dims', 'a.parquet'), "SELECT 'g1' AS grp, 'one' AS label, 1 AS version");
    await runTables(ws.db, all, ws.options());
    await writeParquet(join(ws.landingDir, 'events', 'b.parquet'), values([{ id: 't2', grp: 'g1', amount: '7.00', ts: 2 }]));
    const update = await runTables(ws.db, all, ws.options({ updateId: 'second' }));
    const top = update.tables.find((t) => t.table === `${CATALOG}.gold.top`)!;
    expect(top.refresh!.technique).toBe('COMPLETE_RECOMPUTE');
    expect(top.refresh!.reason).toContain('a LIMIT');
    const logged = await ws.one("SELECT details FROM _system.event_log WHERE origin.update_id = 'second' AND origin.flow_name = 'gold.top' AND event_type = 'planning_information'");
    expect(JSON.parse(String(logged.details)).planning_information.technique_information[0].maintenance_type).toBe('MAINTENANCE_TYPE_COMPLETE_RECOMPUTE');
    const grouped = update.tables.find((t) => t.table === `${CATALOG}.gold.by_group`)!;
    expect(grouped.refresh).toMatchObject({ technique: 'GROUP_AGGREGATE' });
    expect(grouped.rows_inserted).toBe(1);
  });

  it('refreshes a view over a materialized view incrementally only while that view gains rows, not when rows are replaced', async () => {
    const row = (id: string, amount: string, ts: number): Row => ({ id, grp: 'g1', amount, ts });
    await writeParquet(join(ws.landingDir, 'dims', 'a.parquet'), "SELECT 'g1' AS grp, 'one' AS label, 1 AS version");
    await writeParquet(join(ws.landingDir, 'events', 'a.parquet'), values([row('t1', '5.00', 1), row('t2', '3.00', 2)]));
    await runTables(ws.db, tables(), ws.options());
    const techniques = async (updateId: string) => {
      const update = await runTables(ws.db, tables(), ws.options({ updateId }));
      const of = (name: string) => update.tables.find((t) => t.table === `${CATALOG}.${name}`)!.refresh!;
      for (const name of ['gold.enriched_by_label', 'gold.enriched_positive']) {
        expect(await sorted(withoutVersion(`SELECT * FROM ${name}`)), `${name} (${updateId})`).toEqual(await sorted(substituteCatalog(GOLD[name]!, CATALOG)));
      }
      return { enriched: of('gold.enriched'), byLabel: of('gold.enriched_by_label'), positive: of('gold.enriched_positive') };
    };

    // New transactions only: gold.enriched's rows of new keys are added, nothing removed.
    await writeParquet(join(ws.landingDir, 'events', 'b.parquet'), values([row('t3', '7.00', 3)]));
    const appended = await techniques('new-keys');
    expect(appended.enriched.technique).toBe('ROW_BASED');
    expect(appended.byLabel.technique).toBe('GROUP_AGGREGATE');
    expect(appended.positive.technique).toBe('APPEND_ONLY');
    expect(await ws.rows(`SELECT operation FROM _system.table_history WHERE table_name = '${CATALOG}.gold.enriched' AND update_id = 'new-keys'`)).toEqual([{ operation: 'APPEND' }]);

    // A newer version of t1: its row in gold.enriched is replaced, so readers cannot take only the new rows.
    await writeParquet(join(ws.landingDir, 'events', 'c.parquet'), values([row('t1', '-2.00', 9)]));
    const replaced = await techniques('correction');
    expect(replaced.enriched.technique).toBe('ROW_BASED');
    expect(replaced.byLabel).toMatchObject({ technique: 'COMPLETE_RECOMPUTE', reason: expect.stringContaining('had rows removed (DELETE_INSERT)') });
    expect(replaced.positive.technique).toBe('COMPLETE_RECOMPUTE');
  });
});
