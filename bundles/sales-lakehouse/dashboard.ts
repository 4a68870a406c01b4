import type { DatasetModel, WidgetModel } from '../../src/model/types.ts';

// Queries name the gold views as `${catalog}.${schema}.<view>`: the deployed dashboard reads them relative to its
// dataset_catalog and dataset_schema (the target's catalog and gold schema); locally they are filled in.

export const datasets: DatasetModel[] = [
  { name: 'revenue_daily', display_name: 'Revenue by day', query: 'SELECT sales_date, revenue, transactions FROM ${catalog}.${schema}.v_revenue_daily ORDER BY sales_date' },
  { name: 'sales_by_category', display_name: 'Sales by category', query: 'SELECT category, revenue, units FROM ${catalog}.${schema}.v_sales_by_category ORDER BY revenue DESC' },
  { name: 'sales_by_store', display_name: 'Sales by store', query: 'SELECT store_name, region, revenue, transactions FROM ${catalog}.${schema}.v_sales_by_store ORDER BY revenue DESC' },
  { name: 'top_products', display_name: 'Top 10 products', query: 'SELECT product_name, category, revenue, units FROM ${catalog}.${schema}.v_top_products ORDER BY revenue DESC' },
  {
    name: 'latest_summary',
    display_name: 'Latest summary',
    query: 'SELECT summary_text, model, generated_at, period_start, period_end FROM ${catalog}.${schema}.sales_summary ORDER BY generated_at DESC LIMIT 1',
  },
];

export const widgets: WidgetModel[] = [
  { name: 'summary', title: 'What happened', kind: 'text', dataset: 'latest_summary', x: 'summary_text', position: { x: 0, y: 0, width: 6, height: 3 } },
  { name: 'revenue_trend', title: 'Revenue trend', kind: 'line', dataset: 'revenue_daily', x: 'sales_date', y: 'revenue', position: { x: 0, y: 3, width: 6, height: 6 } },
  { name: 'by_category', title: 'Sales by category', kind: 'bar', dataset: 'sales_by_category', x: 'category', y: 'revenue', position: { x: 0, y: 9, width: 3, height: 6 } },
  { name: 'by_store', title: 'Sales by store', kind: 'bar', dataset: 'sales_by_store', x: 'store_name', y: 'revenue', position: { x: 3, y: 9, width: 3, height: 6 } },
  {
    name: 'top_products',
    title: 'Top 10 products',
    kind: 'table',
    dataset: 'top_products',
    columns: ['product_name', 'category', 'revenue', 'units'],
    position: { x: 0, y: 15, width: 6, height: 6 },
  },
];
