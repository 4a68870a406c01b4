import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSalesMetrics, METRICS_SQL, renderMetricsSql, TOP_N, type SalesMetrics } from '../../../bundles/sales-lakehouse/summary/index.ts';
import { UserError } from '../../../src/errors/index.ts';
import { openGoldDb, sampleSales, type GoldDb, type GoldSale } from '../../fixtures/dashboard/gold-sales.ts';

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Groups sales by a key and sums revenue, the independent reference for the SQL. */
function revenueBy(sales: GoldSale[], key: (s: GoldSale) => string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const s of sales) totals.set(key(s), (totals.get(key(s)) ?? 0) + s.total_revenue);
  return totals;
}

describe('computeSalesMetrics over gold.sales_enriched and its aggregates (DuckDB)', () => {
  const sales = sampleSales(150, 5);
  let db: GoldDb;
  let metrics: SalesMetrics;

  beforeAll(async () => {
    db = await openGoldDb('lakehouse', sales);
    metrics = await computeSalesMetrics(db.sql, 'lakehouse');
  });
  afterAll(() => db.close());

  it('computes totals, units and average order value', () => {
    const revenue = sales.reduce((sum, s) => sum + s.total_revenue, 0);
    expect(metrics.total_revenue).toBeCloseTo(revenue, 2);
    expect(metrics.transactions).toBe(sales.length);
    expect(metrics.units).toBe(sales.reduce((sum, s) => sum + s.quantity, 0));
    expect(metrics.average_order_value).toBeCloseTo(round2(revenue / sales.length), 2);
    const times = sales.map((s) => s.transaction_ts).sort();
    expect(metrics.period_start).toBe(times[0]);
    expect(metrics.period_end).toBe(times.at(-1));
  });

  it('ranks categories by revenue with their share', () => {
    const expected = [...revenueBy(sales, (s) => s.category)].sort((a, b) => b[1] - a[1]);
    expect(metrics.revenue_by_category.map((c) => c.category)).toEqual(expected.map(([k]) => k));
    const total = expected.reduce((sum, [, v]) => sum + v, 0);
    for (const [i, [, revenue]] of expected.entries()) {
      expect(metrics.revenue_by_category[i]!.revenue).toBeCloseTo(revenue, 2);
      expect(metrics.revenue_by_category[i]!.share_pct).toBeCloseTo((100 * revenue) / total, 1);
    }
  });

  it('names the top stores and products, at most TOP_N, best first', () => {
    const stores = [...revenueBy(sales, (s) => s.store_id)].sort((a, b) => b[1] - a[1]).slice(0, TOP_N);
    expect(metrics.top_stores.map((s) => s.store_id)).toEqual(stores.map(([k]) => k));
    const products = [...revenueBy(sales, (s) => s.product_id)].sort((a, b) => b[1] - a[1]).slice(0, TOP_N);
    expect(metrics.top_products.map((p) => p.product_id)).toEqual(products.map(([k]) => k));
    expect(metrics.top_products[0]!.revenue).toBeCloseTo(products[0]![1], 2);
    const best = sales.find((s) => s.product_id === products[0]![0])!;
    expect(metrics.top_products[0]!.product_name).toBe(best.product_name);
    expect(metrics.top_products[0]!.units).toBe(
      sales.filter((s) => s.product_id === best.product_id).reduce((sum, s) => sum + s.quantity, 0),
    );
  });

  it('builds the daily series oldest first and the day-over-day change', () => {
    const daily = [...revenueBy(sales, (s) => s.transaction_ts.slice(0, 10))].sort((a, b) => a[0].localeCompare(b[0]));
    expect(metrics.daily_revenue.map((d) => d.date)).toEqual(daily.map(([d]) => d));
    const [prevDate, prevRevenue] = daily.at(-2)!;
    const [lastDate, lastRevenue] = daily.at(-1)!;
    expect(metrics.day_over_day).toMatchObject({ date: lastDate, previous_date: prevDate });
    expect(metrics.day_over_day!.revenue).toBeCloseTo(lastRevenue, 2);
    expect(metrics.day_over_day!.change_pct).toBeCloseTo((100 * (lastRevenue - prevRevenue)) / prevRevenue, 1);
  });

  it('returns plain numbers and strings whatever the driver returns (bigint counts, decimals)', () => {
    expect(typeof metrics.transactions).toBe('number');
    expect(typeof metrics.revenue_by_category[0]!.units).toBe('number');
    expect(() => JSON.stringify(metrics)).not.toThrow();
  });
});

describe('computeSalesMetrics on an empty gold table', () => {
  it('gives zeros, no period and no trend', async () => {
    const db = await openGoldDb('empty_cat', []);
    try {
      const metrics = await computeSalesMetrics(db.sql, 'empty_cat');
      expect(metrics).toMatchObject({ period_start: null, period_end: null, total_revenue: 0, transactions: 0, units: 0 });
      expect(metrics.revenue_by_category).toEqual([]);
      expect(metrics.day_over_day).toBeNull();
    } finally {
      db.close();
    }
  });
});

describe('renderMetricsSql', () => {
  it('puts the catalog into every statement and leaves no placeholder', () => {
    const rendered = renderMetricsSql('main_dev');
    for (const [name, statement] of Object.entries(rendered)) {
      expect(statement, name).toMatch(/main_dev\.gold\.sales_(daily|by_store|by_product)\b/);
      expect(statement, name).not.toContain('${');
      expect(METRICS_SQL[name as keyof typeof METRICS_SQL]).toMatch(/\$\{catalog\}\.gold\.sales_(daily|by_store|by_product)\b/);
    }
  });

  it('rejects a catalog name that would change the SQL', () => {
    expect(() => renderMetricsSql('x; DROP TABLE y')).toThrow(UserError);
    expect(() => renderMetricsSql('`main`')).toThrow(UserError);
  });
});
