// Gold-layer sales metrics the executive summary is built from. The SQL is written in the subset Databricks SQL
// and DuckDB share and is exported, so the generated notebook runs the very same statements on Databricks.
import { queryAll, type SqlQueryRunner, type SqlRow } from '../../../src/index.ts';
import { withCatalog } from './sql-text.ts';
import { roundTo, toNumber, toText, toTimestampText } from './values.ts';

/** How many stores and products the summary names. */
export const TOP_N = 5;
/** How many most recent days the trend covers. */
export const TREND_DAYS = 14;

// The gold aggregates of gold.sales_enriched (tables.ts): a few hundred rows each instead of every transaction.
const DAILY = '${catalog}.gold.sales_daily';
const BY_STORE = '${catalog}.gold.sales_by_store';
const BY_PRODUCT = '${catalog}.gold.sales_by_product';

/**
 * The metric queries, with `${catalog}` placeholders. Each is one SELECT over gold's aggregates by day, store and
 * product; derived figures (average order value, category share, day-over-day change) are computed in SQL so every
 * runner of these statements agrees. Revenue is summed as an exact DECIMAL and rounded once. Ordering ties are
 * broken by id so results are deterministic.
 */
export const METRICS_SQL = {
  totals: `SELECT
  CAST(MIN(first_ts) AS STRING) AS period_start,
  CAST(MAX(last_ts) AS STRING) AS period_end,
  ROUND(COALESCE(CAST(SUM(revenue) AS DOUBLE), 0), 2) AS total_revenue,
  CAST(COALESCE(SUM(transactions), 0) AS BIGINT) AS transactions,
  CAST(COALESCE(SUM(units), 0) AS BIGINT) AS units,
  ROUND(COALESCE(CAST(SUM(revenue) AS DOUBLE) / NULLIF(SUM(transactions), 0), 0), 2) AS average_order_value
FROM ${DAILY}`,

  revenue_by_category: `SELECT
  COALESCE(category, 'Unknown') AS category,
  ROUND(CAST(SUM(revenue) AS DOUBLE), 2) AS revenue,
  CAST(SUM(units) AS BIGINT) AS units,
  ROUND(100 * CAST(SUM(revenue) AS DOUBLE) / NULLIF(SUM(CAST(SUM(revenue) AS DOUBLE)) OVER (), 0), 1) AS share_pct
FROM ${BY_PRODUCT}
GROUP BY COALESCE(category, 'Unknown')
ORDER BY 2 DESC, 1`,

  top_stores: `SELECT
  store_id,
  store_name,
  city,
  region,
  ROUND(CAST(revenue AS DOUBLE), 2) AS revenue,
  transactions
FROM ${BY_STORE}
ORDER BY 5 DESC, 1
LIMIT ${TOP_N}`,

  top_products: `SELECT
  product_id,
  product_name,
  category,
  ROUND(CAST(revenue AS DOUBLE), 2) AS revenue,
  CAST(units AS BIGINT) AS units
FROM ${BY_PRODUCT}
ORDER BY 4 DESC, 1
LIMIT ${TOP_N}`,

  daily_revenue: `SELECT
  sales_date,
  revenue,
  transactions,
  previous_date,
  previous_revenue,
  CASE WHEN previous_revenue IS NULL OR previous_revenue = 0 THEN NULL
       ELSE ROUND(100 * (revenue - previous_revenue) / previous_revenue, 1) END AS change_pct
FROM (
  SELECT
    sales_date,
    revenue,
    transactions,
    LAG(sales_date) OVER (ORDER BY sales_date) AS previous_date,
    LAG(revenue) OVER (ORDER BY sales_date) AS previous_revenue
  FROM (
    SELECT
      CAST(sales_date AS STRING) AS sales_date,
      ROUND(CAST(revenue AS DOUBLE), 2) AS revenue,
      transactions
    FROM ${DAILY}
    WHERE sales_date IS NOT NULL
  ) daily
) with_previous
ORDER BY sales_date DESC
LIMIT ${TREND_DAYS}`,
} as const;

export type MetricsQueryName = keyof typeof METRICS_SQL;

/** The metric queries for one catalog, ready to run. */
export function renderMetricsSql(catalog: string): Record<MetricsQueryName, string> {
  const rendered = {} as Record<MetricsQueryName, string>;
  for (const name of Object.keys(METRICS_SQL) as MetricsQueryName[]) {
    rendered[name] = withCatalog(METRICS_SQL[name], catalog);
  }
  return rendered;
}

export interface CategoryRevenue {
  category: string;
  revenue: number;
  units: number;
  share_pct: number;
}

export interface StoreRevenue {
  store_id: string;
  store_name: string;
  city: string;
  region: string;
  revenue: number;
  transactions: number;
}

export interface ProductRevenue {
  product_id: string;
  product_name: string;
  category: string;
  revenue: number;
  units: number;
}

export interface DailyRevenue {
  date: string;
  revenue: number;
  transactions: number;
}

export interface DayOverDay {
  date: string;
  previous_date: string;
  revenue: number;
  previous_revenue: number;
  /** Percent change against the previous day with sales; null when that day had no revenue. */
  change_pct: number | null;
}

export interface SalesMetrics {
  /** First and last transaction time (`YYYY-MM-DD HH:MM:SS`); null when the gold table is empty. */
  period_start: string | null;
  period_end: string | null;
  total_revenue: number;
  transactions: number;
  units: number;
  average_order_value: number;
  revenue_by_category: CategoryRevenue[];
  top_stores: StoreRevenue[];
  top_products: ProductRevenue[];
  /** The most recent days with sales, oldest first. */
  daily_revenue: DailyRevenue[];
  /** The last day with sales against the day with sales before it; null with fewer than two such days. */
  day_over_day: DayOverDay | null;
}

/** Runs the metric queries over the gold aggregates of `${catalog}`. */
export async function computeSalesMetrics(sql: SqlQueryRunner, catalog: string): Promise<SalesMetrics> {
  const statements = renderMetricsSql(catalog);
  // One statement at a time: a SqlClient may hold a single session.
  const totals = (await queryAll(sql, statements.totals))[0] ?? {};
  const categories = await queryAll(sql, statements.revenue_by_category);
  const stores = await queryAll(sql, statements.top_stores);
  const products = await queryAll(sql, statements.top_products);
  const daily = await queryAll(sql, statements.daily_revenue);
  return metricsFromRows({ totals, categories, stores, products, daily });
}

/** Shapes raw result rows into metrics; separate from the queries so it can be tested without an engine. */
export function metricsFromRows(rows: {
  totals: SqlRow;
  categories: SqlRow[];
  stores: SqlRow[];
  products: SqlRow[];
  daily: SqlRow[];
}): SalesMetrics {
  const { totals } = rows;
  // The daily query returns newest first so LIMIT keeps the latest days.
  const latest = rows.daily[0];
  return {
    period_start: toTimestampText(totals.period_start),
    period_end: toTimestampText(totals.period_end),
    total_revenue: money(totals.total_revenue),
    transactions: toNumber(totals.transactions),
    units: toNumber(totals.units),
    average_order_value: money(totals.average_order_value),
    revenue_by_category: rows.categories.map((r) => ({
      category: toText(r.category, 'Unknown'),
      revenue: money(r.revenue),
      units: toNumber(r.units),
      share_pct: roundTo(toNumber(r.share_pct), 1),
    })),
    top_stores: rows.stores.map((r) => ({
      store_id: toText(r.store_id),
      store_name: toText(r.store_name, toText(r.store_id)),
      city: toText(r.city),
      region: toText(r.region),
      revenue: money(r.revenue),
      transactions: toNumber(r.transactions),
    })),
    top_products: rows.products.map((r) => ({
      product_id: toText(r.product_id),
      product_name: toText(r.product_name, toText(r.product_id)),
      category: toText(r.category, 'Unknown'),
      revenue: money(r.revenue),
      units: toNumber(r.units),
    })),
    daily_revenue: rows.daily
      .map((r) => ({ date: toText(r.sales_date), revenue: money(r.revenue), transactions: toNumber(r.transactions) }))
      .reverse(),
    day_over_day:
      latest && latest.previous_date !== null && latest.previous_date !== undefined
        ? {
            date: toText(latest.sales_date),
            previous_date: toText(latest.previous_date),
            revenue: money(latest.revenue),
            previous_revenue: money(latest.previous_revenue),
            change_pct:
              latest.change_pct === null || latest.change_pct === undefined
                ? null
                : roundTo(toNumber(latest.change_pct), 1),
          }
        : null,
  };
}

function money(value: unknown): number {
  return roundTo(toNumber(value), 2);
}
