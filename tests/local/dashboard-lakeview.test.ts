import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildLakeviewDashboard, datasetSql, serializeLakeviewDashboard } from '../../src/dashboard/index.ts';
import { UserError } from '../../src/errors/index.ts';
import type { DashboardModel } from '../../src/model/types.ts';
import { salesDashboardModel } from '../fixtures/dashboard/sales-dashboard.ts';

const GOLDEN = new URL('../fixtures/dashboard/sales.lvdash.json', import.meta.url);
const VARS = { catalog: 'lakehouse' };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => v as Obj;

function layout(dashboard: Obj): Obj[] {
  return obj((dashboard.pages as Obj[])[0]).layout as Obj[];
}

function widgetNamed(dashboard: Obj, name: string): Obj {
  const item = layout(dashboard).find((l) => obj(l.widget).name === name);
  if (!item) throw new Error(`no widget ${name}`);
  return item;
}

function keysSortedEverywhere(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysSortedEverywhere(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const keys = Object.keys(value);
  const here = keys.join(',') === [...keys].sort().join(',') ? [] : [path];
  return [...here, ...keys.flatMap((k) => keysSortedEverywhere((value as Obj)[k], `${path}.${k}`))];
}

describe('Lakeview dashboard file', () => {
  it('matches the golden file (set UPDATE_GOLDEN=1 to accept a deliberate change)', () => {
    const text = serializeLakeviewDashboard(salesDashboardModel(), VARS);
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    expect(existsSync(GOLDEN), 'golden file missing: run with UPDATE_GOLDEN=1').toBe(true);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('is deterministic: sorted keys at every level, same bytes whatever the model key order', () => {
    const model = salesDashboardModel();
    const text = serializeLakeviewDashboard(model, VARS);
    expect(keysSortedEverywhere(JSON.parse(text))).toEqual([]);
    const reordered: DashboardModel = {
      file_path: model.file_path,
      widgets: model.widgets.map(({ position, ...w }) => ({ position: { height: position.height, width: position.width, y: position.y, x: position.x }, ...w })),
      datasets: model.datasets.map(({ query, display_name, name }) => ({ query, name, display_name })),
      settings: model.settings,
    };
    expect(serializeLakeviewDashboard(reordered, VARS)).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('stores each dataset query as queryLines with the catalog filled in', () => {
    const model = salesDashboardModel();
    const dashboard = buildLakeviewDashboard(model, VARS);
    const datasets = dashboard.datasets as Obj[];
    expect(datasets.map((d) => d.name)).toEqual(model.datasets.map((d) => d.name));
    for (const [i, dataset] of datasets.entries()) {
      const lines = dataset.queryLines as string[];
      expect(lines.join('')).toBe(datasetSql(model.datasets[i]!.query, VARS));
      expect(lines.slice(0, -1).every((l) => l.endsWith('\n'))).toBe(true);
      expect(lines.join('')).not.toContain('${');
      expect(dataset.displayName).toBe(model.datasets[i]!.display_name);
    }
  });

  it('builds one canvas page with each widget at its grid position', () => {
    const model = salesDashboardModel();
    const dashboard = buildLakeviewDashboard(model, VARS);
    const page = obj((dashboard.pages as Obj[])[0]);
    expect(page).toMatchObject({ displayName: 'Real-time Sales', pageType: 'PAGE_TYPE_CANVAS' });
    expect(layout(dashboard).map((l) => [obj(l.widget).name, l.position])).toEqual(
      model.widgets.map((w) => [w.name, w.position]),
    );
  });

  it('writes line and bar charts as version 3 specs with x/y encodings', () => {
    const dashboard = buildLakeviewDashboard(salesDashboardModel(), VARS);
    const line = obj(widgetNamed(dashboard, 'revenue_trend').widget);
    expect(line.queries).toEqual([
      {
        name: 'main_query',
        query: {
          datasetName: 'revenue_trend',
          disaggregated: true,
          fields: [
            { expression: '`sales_date`', name: 'sales_date' },
            { expression: '`revenue`', name: 'revenue' },
          ],
        },
      },
    ]);
    expect(line.spec).toMatchObject({
      version: 3,
      widgetType: 'line',
      frame: { showTitle: true, title: 'Revenue trend' },
      encodings: {
        x: { fieldName: 'sales_date', scale: { type: 'temporal' } },
        y: { fieldName: 'revenue', scale: { type: 'quantitative' } },
      },
    });
    const bar = obj(widgetNamed(dashboard, 'sales_by_category').widget);
    expect(bar.spec).toMatchObject({
      version: 3,
      widgetType: 'bar',
      encodings: { x: { fieldName: 'category', scale: { type: 'categorical', sort: { by: 'y-reversed' } } } },
    });
  });

  it('writes counters (v2), tables (v2) and the summary as a one-column table', () => {
    const dashboard = buildLakeviewDashboard(salesDashboardModel(), VARS);
    expect(obj(widgetNamed(dashboard, 'total_revenue').widget).spec).toMatchObject({
      version: 2,
      widgetType: 'counter',
      encodings: { value: { fieldName: 'total_revenue' } },
    });
    const table = obj(obj(widgetNamed(dashboard, 'top_products_table').widget).spec);
    expect(table).toMatchObject({ version: 2, widgetType: 'table' });
    expect(obj(table.encodings).columns).toEqual(
      ['product_name', 'category', 'revenue', 'units'].map((f) => ({ displayName: f, fieldName: f })),
    );
    expect(obj(obj(widgetNamed(dashboard, 'summary').widget).spec).encodings).toEqual({
      columns: [{ displayName: 'summary_text', fieldName: 'summary_text' }],
    });
  });

  it('writes a text widget without a dataset as a text box', () => {
    const model = salesDashboardModel();
    model.widgets.push({ name: 'heading', title: 'Sales & "stuff"', kind: 'text', dataset: '', position: { x: 0, y: 14, width: 6, height: 1 } });
    const widget = obj(widgetNamed(buildLakeviewDashboard(model, VARS), 'heading').widget);
    expect(widget).toEqual({ name: 'heading', multilineTextboxSpec: { lines: ['## Sales & "stuff"'] } });
  });

  it('rejects widgets that cannot be built', () => {
    const unknown = salesDashboardModel();
    unknown.widgets[3]!.dataset = 'nope';
    expect(() => buildLakeviewDashboard(unknown, VARS)).toThrow(/refers to dataset 'nope'/);
    const duplicate = salesDashboardModel();
    duplicate.widgets[1]!.name = duplicate.widgets[0]!.name;
    expect(() => buildLakeviewDashboard(duplicate, VARS)).toThrow(UserError);
    const noAxis = salesDashboardModel();
    delete noAxis.widgets[3]!.x;
    expect(() => buildLakeviewDashboard(noAxis, VARS)).toThrow(/needs 'x'/);
  });

  it('fills ${schema} only when given and refuses names that are not plain identifiers', () => {
    expect(datasetSql('SELECT 1 FROM ${catalog}.${schema}.t', { catalog: 'c', schema: 'gold' })).toBe('SELECT 1 FROM c.gold.t');
    expect(() => datasetSql('SELECT 1 FROM ${catalog}.${schema}.t', { catalog: 'c' })).toThrow(UserError);
    expect(() => datasetSql('SELECT ${other}', { catalog: 'c' })).toThrow(UserError);
    expect(() => datasetSql('SELECT 1 FROM ${catalog}.t', { catalog: 'c; DROP' })).toThrow(UserError);
  });
});
