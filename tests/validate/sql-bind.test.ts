// The table model's SQL parsed and bound by DuckDB: each check names the table's file and line and the config
// path of the text, and says what is wrong in the user's words (the column, the table, the closest name).
import { describe, expect, it } from 'vitest';
import { Notebook, Pipeline, Schema, Volume, type Bundle, type TableDefinition, type TableHandle } from '../../src/index.ts';

import { resolve } from '../../src/model/resolve.ts';
import type { Diagnostic } from '../../src/validate/diagnostic.ts';
import { validateProject } from '../../src/validate/index.ts';
import { FIXTURE_REPO, markedLine, matching, only, testBundle } from './helpers.ts';

const line = (name: string): number => markedLine(import.meta.url, name);

/** A bundle with a landing volume, bronze → silver in a pipeline and the given gold tables in a notebook. */
function shop(silver: Partial<TableDefinition> = {}, goldTables: (orders: TableHandle) => TableDefinition[] = () => []) {
  const app = testBundle({ catalog: { default: 'shop' }, min_amount: { default: '5' } });
  const catalog = app.var('catalog');
  const raw = new Volume(app, 'raw', { schema: new Schema(app, 'landing', { catalog }) });
  const bronzeSchema = new Schema(app, 'bronze', { catalog });
  const silverSchema = new Schema(app, 'silver', { catalog });
  const ordersRaw = bronzeSchema.table('orders_raw');
  const orders = silverSchema.table('orders');
  new Schema(app, 'gold', { catalog });
  const pipeline = new Pipeline(app, 'orders', { catalog, schema: 'silver', serverless: true, configuration: { min_amount: app.var('min_amount') } });
  pipeline.table({
    name: ordersRaw,
    layer: 'bronze',
    kind: 'streaming_table',
    source: { type: 'files', path: `${raw.path}/orders`, format: 'json', options: { schema: 'order_id STRING, amount STRING, ordered_at STRING' } },
  });
  pipeline.table({ // @mark silver
    name: orders,
    layer: 'silver',
    kind: 'streaming_table',
    source: { type: 'table', table: ordersRaw },
    columns: [
      { name: 'order_id', type: 'STRING', expression: 'trim(order_id)' },
      { name: 'amount', type: 'DECIMAL(10,2)' },
      { name: 'ordered_at', type: 'TIMESTAMP' },
    ],
    expectations: [{ name: 'positive_amount', condition: 'amount > ${min_amount}', action: 'drop' }],
    dedupe: { keys: ['order_id'], sequence_by: 'ordered_at' },
    quarantine_table: silverSchema.table('orders_quarantine'),
    ...silver,
  });
  const gold = goldTables(orders);
  if (gold.length > 0) {
    const nb = new Notebook(app, 'gold_nb', { source: 'notebooks/ok.py', widgets: { catalog } });
    for (const t of gold) nb.table(t); // @mark gold
  }
  return app;
}

async function check(app: Bundle): Promise<Diagnostic[]> {
  return validateProject(resolve(app), { repoRoot: FIXTURE_REPO });
}

describe('table SQL bound by DuckDB', () => {
  it('passes a well-formed pipeline, its handles, volume path and configuration keys', async () => {
    const app = shop({}, (orders) => [
      { name: 'gold.daily', layer: 'gold', kind: 'materialized_view', query: `SELECT CAST(ordered_at AS DATE) AS day, sum(amount) AS revenue\nFROM ${orders}\nGROUP BY 1` },
      { name: 'gold.v_daily', layer: 'gold', kind: 'view', query: 'SELECT day, revenue FROM ${catalog}.gold.daily' },
      { name: 'gold.v_rejects', layer: 'gold', kind: 'view', query: 'SELECT order_id, _failed_rules FROM ${catalog}.silver.orders_quarantine' },
    ]);
    expect(await check(app)).toEqual([]);
  });

  it('names a column an expression, expectation or filter uses that does not exist, with the closest one', async () => {
    const app = shop({
      columns: [
        { name: 'order_id', type: 'STRING', expression: 'trim(order_idd)' },
        { name: 'amount', type: 'DECIMAL(10,2)' },
        { name: 'ordered_at', type: 'TIMESTAMP' },
      ],
      expectations: [{ name: 'positive_amount', condition: 'amout > 0', action: 'drop' }],
      where: 'ordered > now() - INTERVAL 1 YEAR',
    });
    const diagnostics = await check(app);
    const expression = only(diagnostics, 'order_idd');
    expect(expression.message).toBe(
      'Column "order_idd" in the expression of column "order_id" of table "silver.orders" does not exist (did you mean "order_id"? columns: order_id, amount, ordered_at, _rescued_data, _source_file, _ingested_at).',
    );
    expect(expression.path).toBe('resources.pipelines.orders.tables[1].columns[0].expression');
    expect(expression.location?.line).toBe(line('silver'));
    expect(expression.location?.file).toMatch(/sql-bind\.test\.ts$/);
    const condition = only(diagnostics, 'amout');
    expect(condition.message).toBe('Column "amout" in the condition of expectation "positive_amount" of table "silver.orders" does not exist (did you mean "amount"? columns: order_id, amount, ordered_at).');
    expect(condition.path).toBe('resources.pipelines.orders.tables[1].expectations[0].condition');
    expect(only(diagnostics, '"ordered"').path).toBe('resources.pipelines.orders.tables[1].where');
    expect(diagnostics.every((d) => d.severity === 'error' && d.location?.line === line('silver'))).toBe(true);
  });

  it('checks dedupe columns against the columns a table passes through when it declares none', async () => {
    const app = shop({ columns: undefined, expectations: [], dedupe: { keys: ['orderid'], sequence_by: '_ingested_at' } });
    const dedupe = only(await check(app), 'deduplicates by');
    expect(dedupe.message).toMatch(/^Table "silver\.orders" deduplicates by "orderid", which is not one of its columns \(did you mean "order_id"\?/);
    expect(dedupe.path).toBe('resources.pipelines.orders.tables[1].dedupe.keys[0]');
  });

  it('reports a table a query reads that the bundle neither builds nor declares external, and a column of the result', async () => {
    const app = shop({}, (orders) => [
      { name: 'gold.daily', layer: 'gold', kind: 'materialized_view', query: `SELECT o.amount, r.rate\nFROM ${orders} o\nJOIN \${catalog}.silver.fx_rates r ON true` },
      { name: 'gold.top', layer: 'gold', kind: 'materialized_view', query: `SELECT order_id, amout FROM ${orders}` },
    ]);
    const diagnostics = await check(app);
    const missing = only(diagnostics, 'fx_rates');
    expect(missing.severity).toBe('error');
    expect(missing.message).toBe(
      "The query of table \"gold.daily\" reads silver.fx_rates (line 3), which no pipeline or notebook of the bundle builds and the bundle does not declare external. Build it in the bundle, or declare it with app.externalTable('silver.fx_rates').",
    );
    expect(missing.path).toBe('notebooks.gold_nb.tables[0].query');
    expect(missing.location?.line).toBe(line('gold'));
    expect(only(diagnostics, 'amout').message).toBe('Column "amout" in the query of table "gold.top" does not exist (did you mean amount?).');
    // a declared external table is known: the query is checked for the tables it names only
    app.externalTable('silver.fx_rates');
    expect(matching(await check(app), 'fx_rates')).toEqual([]);
  });

  it('orders tables by what they read, so a view over a materialized view binds against its columns', async () => {
    const app = shop({}, (orders) => [
      { name: 'gold.v', layer: 'gold', kind: 'view', query: 'SELECT day, revenu FROM ${catalog}.gold.daily' },
      { name: 'gold.daily', layer: 'gold', kind: 'materialized_view', query: `SELECT CAST(ordered_at AS DATE) AS day, sum(amount) AS revenue FROM ${orders} GROUP BY 1` },
    ]);
    expect(only(await check(app), 'revenu').message).toBe('Column "revenu" in the query of table "gold.v" does not exist (did you mean revenue?).');
  });

  it('reports a cycle between tables once', async () => {
    const app = shop({}, () => [
      { name: 'gold.a', layer: 'gold', kind: 'view', query: 'SELECT * FROM ${catalog}.gold.b' },
      { name: 'gold.b', layer: 'gold', kind: 'view', query: 'SELECT * FROM ${catalog}.gold.a' },
    ]);
    expect(only(await check(app), 'cycle').message).toBe('Tables read each other in a cycle: gold.a → gold.b → gold.a.');
  });

  it('reports a query DuckDB cannot parse, and a placeholder the pipeline configuration does not define', async () => {
    const app = shop({ expectations: [{ name: 'recent', condition: 'ordered_at > ${since}', action: 'warn' }] }, () => [
      { name: 'gold.bad', layer: 'gold', kind: 'view', query: 'SELEC * FROM ${catalog}.silver.orders' },
    ]);
    const diagnostics = await check(app);
    expect(only(diagnostics, 'does not parse').message).toMatch(/^The query of table "gold\.bad" does not parse: syntax error at or near "SELEC"/);
    const placeholder = only(diagnostics, '${since}');
    expect(placeholder.message).toContain('add it to the configuration of pipeline "orders"');
    expect(placeholder.path).toBe('resources.pipelines.orders.tables[1].expectations[0].condition');
  });

  it('leaves columns it cannot know alone: files without a declared schema', async () => {
    const app = testBundle({ catalog: { default: 'shop' } });
    const pipeline = new Pipeline(app, 'p', { catalog: app.var('catalog'), serverless: true });
    pipeline.table({ name: 'bronze.raw', layer: 'bronze', kind: 'streaming_table', source: { type: 'files', path: '/Volumes/${catalog}/l/r/x', format: 'json' } });
    pipeline.table({ name: 'silver.s', layer: 'silver', kind: 'streaming_table', source: { type: 'table', table: 'bronze.raw' }, expectations: [{ name: 'e', condition: 'anything > 0', action: 'warn' }] });
    expect(await check(app)).toEqual([]);
  });
});
