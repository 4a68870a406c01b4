// runTablesLocally: a bundle's own job run on the local engine on a few rows, for the project's unit tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle, Job, Notebook, Pipeline, Schema, Volume, runTablesLocally, type LocalTablesRun } from '../../src/index.ts';

function shop(format: 'json' | 'csv' | 'parquet' = 'json') {
  const app = new Bundle({
    name: 'shop',
    variables: { catalog: { default: 'main' }, min_amount: { default: '0' } },
    targets: { local: { default: true, local: true, variables: { catalog: 'shop_test' } }, prod: {} },
  });
  const catalog = app.var('catalog');
  const raw = new Volume(app, 'raw', { schema: new Schema(app, 'landing', { catalog }) });
  const bronze = new Schema(app, 'bronze', { catalog });
  const silver = new Schema(app, 'silver', { catalog });
  const gold = new Schema(app, 'gold', { catalog });
  const handles = { raw: bronze.table('orders_raw'), orders: silver.table('orders'), quarantine: silver.table('orders_quarantine'), daily: gold.table('daily') };
  const pipeline = new Pipeline(app, 'orders', { catalog, serverless: true, configuration: { min_amount: app.var('min_amount') } });
  pipeline.table({
    name: handles.raw,
    layer: 'bronze',
    kind: 'streaming_table',
    source: { type: 'files', path: `${raw.path}/orders`, format, options: { schema: 'order_id STRING, amount STRING, ordered_at STRING' } },
  });
  pipeline.table({
    name: handles.orders,
    layer: 'silver',
    kind: 'streaming_table',
    source: { type: 'table', table: handles.raw },
    columns: [
      { name: 'order_id', type: 'STRING', expression: 'trim(order_id)' },
      { name: 'amount', type: 'DECIMAL(10,2)' },
      { name: 'ordered_at', type: 'TIMESTAMP' },
    ],
    expectations: [{ name: 'above_minimum', condition: 'amount > ${min_amount}', action: 'drop' }],
    dedupe: { keys: ['order_id'], sequence_by: 'ordered_at' },
    quarantine_table: handles.quarantine,
  });
  const report = new Notebook(app, 'report', { source: 'notebooks/report.py.hbs', widgets: { catalog, currency: 'EUR' } }).table({
    name: handles.daily,
    layer: 'gold',
    kind: 'materialized_view',
    query: `SELECT CAST(ordered_at AS DATE) AS day, '\${currency}' AS currency, count(*) AS orders, sum(amount) AS revenue FROM ${handles.orders} GROUP BY 1`,
  });
  const job = new Job(app, 'daily', { name: 'daily', parameters: [{ name: 'currency', default: 'EUR' }] });
  const refresh = job.pipelineTask('refresh', { pipeline });
  job.notebookTask('report', { notebook: report, depends_on: [refresh] });
  return { app, ...handles };
}

const ROWS = [
  { order_id: ' o1 ', amount: '10.50', ordered_at: '2024-05-01 10:00:00' },
  { order_id: 'o2', amount: '-1', ordered_at: '2024-05-01 11:00:00' },
  { order_id: 'o3', amount: 'n/a', ordered_at: '2024-05-02 09:00:00' },
  { order_id: 'o1', amount: '12.00', ordered_at: '2024-05-01 12:00:00' },
];

describe('runTablesLocally', () => {
  const { app, orders, quarantine, daily, raw } = shop();
  let run: LocalTablesRun;
  beforeAll(async () => {
    run = await runTablesLocally(app, { files: { [raw.name]: ROWS } });
  });
  afterAll(() => run.close());

  it('runs the job as `dbx-ts run -t local` does: pipeline configuration filled in, typed, deduplicated, quarantined', async () => {
    expect(await run.rows(orders)).toEqual([{ order_id: 'o1', amount: 12, ordered_at: '2024-05-01 12:00:00' }]);
    const rejected = await run.rows(quarantine, { orderBy: 'order_id' });
    expect(rejected.map((r) => [r['order_id'], r['_failed_rules']])).toEqual([
      ['o2', ['above_minimum']],
      ['o3', ['cast:amount']],
    ]);
    expect(run.tables.find((t) => t.table.endsWith('silver.orders'))).toMatchObject({ rows_read: 4, rows_quarantined: 2, duplicates_removed: 1 });
    expect(run.events.filter((e) => e.code === 'task.state' && e.data.result === 'SUCCESS').map((e) => e.code === 'task.state' && e.data.task_key)).toEqual(['refresh', 'report']);
  });

  it("builds the notebook task's gold table from silver with the job parameter's value, and answers any SQL with handles", async () => {
    expect(await run.rows(daily)).toEqual([{ day: '2024-05-01', currency: 'EUR', orders: 1, revenue: 12 }]);
    expect(await run.query(`SELECT count(*) AS n FROM ${orders}`)).toEqual([{ n: 1 }]);
  });

  it('lands more files and runs again, as the next scheduled run does; --param values reach the notebook', async () => {
    await run.update({ files: { 'bronze.orders_raw': { 'late.json': [{ order_id: 'o4', amount: '3', ordered_at: '2024-05-02 10:00:00' }] } }, params: { currency: 'USD' } });
    expect((await run.rows(orders)).map((r) => r['order_id'])).toEqual(['o1', 'o4']);
    expect(run.tables.find((t) => t.table.endsWith('bronze.orders_raw'))).toMatchObject({ rows_read: 1 });
    expect((await run.rows(daily)).map((r) => [r['day'], r['currency']])).toEqual([
      ['2024-05-01', 'USD'],
      ['2024-05-02', 'USD'],
    ]);
  });

  it('takes variable values and writes CSV and Parquet landing files too', async () => {
    for (const format of ['csv', 'parquet'] as const) {
      const s = shop(format);
      const other = await runTablesLocally(s.app, { files: { [s.raw.name]: ROWS }, vars: { min_amount: '11' } });
      try {
        expect(await other.rows(s.orders), format).toEqual([{ order_id: 'o1', amount: 12, ordered_at: '2024-05-01 12:00:00' }]);
        // 10.50 is below 11 now: quarantined with the rows that were before
        expect((await other.rows(s.quarantine, { orderBy: 'order_id' })).map((r) => r['order_id']), format).toEqual(['o1', 'o2', 'o3']);
      } finally {
        await other.close();
      }
    }
  });

  it('with no files: empty streaming tables downstream tables read, and the run says where landing files go', async () => {
    const empty = await runTablesLocally(shop().app);
    try {
      expect(await empty.rows(orders)).toEqual([]);
      expect(await empty.rows(daily)).toEqual([]);
      const hint = empty.events.find((e) => e.message.startsWith('No files yet for shop_test.bronze.orders_raw'));
      expect(hint?.message).toMatch(/put json files in \/.*\/volumes\/shop_test\/landing\/raw\/orders \(the local folder of \/Volumes\/shop_test\/landing\/raw\/orders\)$/);
    } finally {
      await empty.close();
    }
  });

  it('says which tables read files when a test lands files for another, and names the failing task', async () => {
    await expect(runTablesLocally(app, { files: { 'silver.orders': [] } })).rejects.toThrow('runTablesLocally: no table "silver.orders" of job daily reads files.');
    await expect(runTablesLocally(app, { files: { [raw.name]: ROWS }, vars: { min_amount: 'nonsense' } })).rejects.toThrow(/runTablesLocally: job daily failed: Task refresh failed: .*nonsense/);
  });
});
