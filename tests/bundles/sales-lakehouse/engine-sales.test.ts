// The whole sales flow on simulated data: every dirty row kind ends where Databricks semantics put it,
// and every table's counts add up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../../bundles/sales-lakehouse/simulator/index.ts';
import type { SimulationManifest } from '../../../bundles/sales-lakehouse/simulator/index.ts';
import { emitQualityMetrics, readQualityMetrics, runTables } from '../../../src/local/engine/index.ts';
import type { UpdateResult } from '../../../src/local/engine/index.ts';
import { recordingSink } from '../../../src/events/types.ts';
import { CATALOG, salesTables, sqlList, workspace } from '../../local/engine-helpers.ts';
import type { Workspace } from '../../local/engine-helpers.ts';

describe('local engine on simulated sales', () => {
  let ws: Workspace;
  let manifest: SimulationManifest;
  let update: UpdateResult;
  const sink = recordingSink();

  beforeAll(async () => {
    ws = await workspace();
    manifest = await simulate(ws.landingDir, { rows: 6000, files: 4, seed: 11, dirtyRate: 0.12, corruptFile: true });
    update = await runTables(ws.db, salesTables(), ws.options({ sink }));
  });
  afterAll(() => ws.cleanup());

  const table = (name: string) => update.tables.find((t) => t.table === `${CATALOG}.${name}`)!;
  const dirty = () => manifest.sales.sales_batch.dirty;
  const examples = () => manifest.sales.sales_batch.examples;

  it('keeps the accounting identity for every table', () => {
    expect(update.tables).toHaveLength(8);
    for (const t of update.tables.filter((t) => t.kind !== 'view')) {
      const accounted = t.rows_inserted + t.rows_updated + t.rows_quarantined + t.duplicates_removed + t.rows_filtered;
      expect(accounted, t.table).toBe(t.rows_read);
    }
    const silver = table('silver.sales_batch');
    expect(silver.rows_read).toBe(6000);
    const d = dirty();
    expect(silver.rows_quarantined).toBe(d.null_required + d.nonpositive_quantity + d.nonpositive_price + d.malformed_timestamp + d.future_timestamp);
    expect(silver.duplicates_removed).toBe(d.duplicate_exact + d.late_update);
    expect(silver.rows_inserted).toBe(6000 - silver.rows_quarantined - silver.duplicates_removed);
  });

  it('ingests every row of the readable files once, and sets the corrupt file aside', async () => {
    const bronze = table('bronze.sales_batch_raw');
    expect(bronze.rows_read).toBe(6000);
    expect(bronze.files).toEqual({ taken: 4, bad: [{ path: expect.stringMatching(/sales_batch\/part-00004\.parquet$/), error: expect.any(String) }] });
    const bad = await ws.rows('SELECT path, error FROM _system.bad_files');
    expect(bad).toHaveLength(1);
    expect(String(bad[0]!.path)).toBe(`/Volumes/${CATALOG}/landing/raw/${manifest.corrupt_files[0]}`);
    const { n, files } = await ws.one('SELECT count(*) AS n, count(DISTINCT _source_file) AS files FROM bronze.sales_batch_raw');
    expect([n, files]).toEqual([6000, 4]);
  });

  it('rescues the schema-drift column into _rescued_data', async () => {
    const rescued = await ws.rows(
      `SELECT _source_file, json_extract_string(_rescued_data, '$.coupon_code') AS coupon FROM bronze.sales_batch_raw WHERE _rescued_data IS NOT NULL`,
    );
    expect(rescued).toHaveLength(manifest.schema_drift.rows);
    expect(new Set(rescued.map((r) => r._source_file))).toEqual(new Set([`/Volumes/${CATALOG}/landing/raw/${manifest.schema_drift.file}`]));
    expect(rescued.every((r) => /^SAVE\d+$/.test(String(r.coupon)))).toBe(true);
    const columns = (await ws.rows('DESCRIBE bronze.sales_batch_raw')).map((r) => r.column_name);
    expect(columns).not.toContain('coupon_code');
  });

  it('quarantines each kind of bad row under the rule it broke, and keeps it out of silver', async () => {
    const fates: [keyof ReturnType<typeof examples>, string][] = [
      ['nonpositive_quantity', 'positive_quantity'],
      ['nonpositive_price', 'positive_price'],
      ['malformed_timestamp', 'cast:transaction_ts'],
      ['future_timestamp', 'not_in_future'],
    ];
    for (const [kind, rule] of fates) {
      const ids = examples()[kind];
      expect(ids.length, kind).toBe(dirty()[kind]);
      const { q, with_rule } = await ws.one(
        `SELECT count(*) AS q, count(*) FILTER (WHERE list_contains(_failed_rules, '${rule}')) AS with_rule
         FROM silver.sales_batch_quarantine WHERE transaction_id IN (${sqlList(ids)})`,
      );
      expect([q, with_rule], kind).toEqual([ids.length, ids.length]);
      const { s } = await ws.one(`SELECT count(*) AS s FROM silver.sales_batch WHERE transaction_id IN (${sqlList(ids)})`);
      expect(s, kind).toBe(0);
    }
    const nulls = examples().null_required;
    const { q } = await ws.one(`SELECT count(*) AS q FROM silver.sales_batch_quarantine WHERE transaction_id IN (${sqlList(nulls)})`);
    expect(q).toBe(nulls.length);
  });

  it('keeps the raw value of a row that failed its cast, with when it was rejected', async () => {
    const ids = examples().malformed_timestamp;
    const rows = await ws.rows(
      `SELECT q.transaction_ts AS quarantined, b.transaction_ts AS raw, q._quarantined_at IS NOT NULL AS stamped
       FROM silver.sales_batch_quarantine q JOIN bronze.sales_batch_raw b USING (transaction_id) WHERE transaction_id IN (${sqlList(ids)})`,
    );
    expect(rows).toHaveLength(ids.length);
    for (const r of rows) expect(r).toEqual({ quarantined: r.raw, raw: expect.any(String), stamped: true });
  });

  it('removes exact duplicates and lets late updates replace the earlier row', async () => {
    const dups = examples().duplicate_exact;
    const { n } = await ws.one(`SELECT count(*) AS n FROM silver.sales_batch WHERE transaction_id IN (${sqlList(dups)})`);
    expect(n).toBe(dups.length);
    const late = examples().late_update;
    const mismatches = await ws.rows(
      `WITH latest AS (
         SELECT transaction_id, arg_max(quantity, transaction_ts::TIMESTAMP) AS quantity, max(transaction_ts::TIMESTAMP) AS ts
         FROM bronze.sales_batch_raw WHERE transaction_id IN (${sqlList(late)}) GROUP BY transaction_id)
       SELECT l.transaction_id FROM latest l LEFT JOIN silver.sales_batch s USING (transaction_id)
       WHERE s.transaction_ts IS DISTINCT FROM l.ts OR s.quantity IS DISTINCT FROM l.quantity`,
    );
    expect(mismatches).toEqual([]);
    const { total, distinct } = await ws.one('SELECT count(*) AS total, count(DISTINCT transaction_id) AS distinct FROM silver.sales_batch');
    expect(total).toBe(distinct);
  });

  it('warns about unknown products but keeps them; the gold join leaves them out', async () => {
    const metric = table('silver.sales_batch').expectations.find((m) => m.expectation === 'known_product')!;
    const { nulls } = await ws.one('SELECT count(*) AS nulls FROM bronze.sales_batch_raw WHERE product_id IS NULL');
    expect(metric.failed_records).toBe(dirty().unknown_product + Number(nulls));
    expect(metric.dropped_records).toBe(0);
    const ids = examples().unknown_product;
    const { silver } = await ws.one(`SELECT count(*) AS silver FROM silver.sales_batch WHERE transaction_id IN (${sqlList(ids)})`);
    const { gold } = await ws.one(`SELECT count(*) AS gold FROM gold.sales WHERE transaction_id IN (${sqlList(ids)})`);
    expect(silver).toBeGreaterThan(0);
    expect(gold).toBe(0);
  });

  it('cleans category noise so gold groups by the eight real categories', async () => {
    expect(manifest.products.category_noise).toBeGreaterThan(0);
    const categories = (await ws.rows('SELECT category FROM gold.v_revenue_by_category ORDER BY category')).map((r) => r.category);
    expect(categories).toEqual(['Beauty', 'Books', 'Clothing', 'Electronics', 'Grocery', 'Home', 'Sports', 'Toys']);
  });

  it('logs flow_progress per table whose expectation counts match the quarantine table', async () => {
    const flows = await ws.rows(
      `SELECT origin.flow_name AS flow, json_extract(details, '$.flow_progress.data_quality.dropped_records')::BIGINT AS dropped,
              json_extract(details, '$.flow_progress.metrics.num_output_rows')::BIGINT AS out
       FROM _system.event_log WHERE event_type = 'flow_progress' AND origin.update_id = :u ORDER BY flow`,
      { u: update.update_id },
    );
    expect(flows.map((f) => f.flow)).toEqual([...update.tables.map((t) => t.table.replace(`${CATALOG}.`, ''))].sort());
    const silverFlow = flows.find((f) => f.flow === 'silver.sales_batch')!;
    const { q } = await ws.one('SELECT count(*) AS q FROM silver.sales_batch_quarantine');
    expect(silverFlow.dropped).toBe(q);
    expect(silverFlow.out).toBe(table('silver.sales_batch').rows_inserted);

    const client = await ws.db.openSqlClient();
    const { metrics } = await readQualityMetrics(client, CATALOG, { updateId: update.update_id });
    await client.close();
    const perRule = await ws.rows(
      'SELECT rule, count(*) AS n FROM (SELECT unnest(_failed_rules) AS rule FROM silver.sales_batch_quarantine) GROUP BY rule',
    );
    expect(perRule.length).toBeGreaterThanOrEqual(5);
    for (const { rule, n } of perRule) {
      const metric = metrics.find((m) => m.dataset === 'silver.sales_batch' && m.expectation === rule)!;
      // Every row failing a drop rule is quarantined; a warn rule's failures mostly stay in the table.
      if (metric.action === 'drop') expect(metric.failed_records, String(rule)).toBe(n);
      else expect(metric.failed_records, String(rule)).toBeGreaterThan(Number(n));
    }
    const qualityEvent = sink.events.find((e) => e.code === 'quality.metrics');
    expect(qualityEvent?.data).toMatchObject({ run_id: update.update_id, pipeline: 'test_pipeline' });
  });

  it('reads quality metrics back for show quality and emits them as one event', async () => {
    const client = await ws.db.openSqlClient();
    const events = recordingSink();
    try {
      const metrics = await emitQualityMetrics(client, CATALOG, 'test_pipeline', events);
      // Latest update by default: this test file ran one.
      expect(metrics).toEqual(update.tables.flatMap((t) => t.expectations).sort((a, b) => (a.dataset + a.expectation).localeCompare(b.dataset + b.expectation)));
      expect(events.events).toHaveLength(1);
      expect(events.events[0]).toMatchObject({ code: 'quality.metrics', data: { pipeline: 'test_pipeline', run_id: update.update_id, metrics } });
      expect(await readQualityMetrics(client, CATALOG, { pipelineName: 'another' })).toEqual({ metrics: [] });
    } finally {
      await client.close();
    }
  });

  it('resolves three-part names <catalog>.<schema>.<table> as Unity Catalog does', async () => {
    const { n } = await ws.one(`SELECT count(*) AS n FROM ${CATALOG}.gold.sales`);
    expect(n).toBe(table('gold.sales').rows_inserted);
    const schemas = (await ws.rows(`SELECT schema_name FROM information_schema.schemata WHERE catalog_name = '${CATALOG}' ORDER BY 1`)).map((r) => r.schema_name);
    expect(schemas).toEqual(expect.arrayContaining(['_system', 'bronze', 'gold', 'silver']));
  });
});
