// The sales lakehouse's tables as data: layer, source, declared columns, expectations, dedupe.
// The same definitions become DLT SQL and notebook code on Databricks, and run on DuckDB locally.
import type { ExpectationModel, TableDefinition } from '../../src/index.ts';
import { PRODUCT_COLUMNS, PROMOTION_COLUMNS, SALES_COLUMNS as SALES_FILE_COLUMNS, STORE_COLUMNS, type RawColumn } from './simulator/schema.ts';

/** Landing directories in the Unity Catalog volume `${catalog}.landing.raw`. */
export const LANDING = '/Volumes/${catalog}/landing/raw';

const drop = (name: string, condition: string): ExpectationModel => ({ name, condition, action: 'drop' });
const warn = (name: string, condition: string): ExpectationModel => ({ name, condition, action: 'warn' });

/** Cleansing and schema enforcement shared by batch and streaming sales. */
function silverSales(name: string, bronze: string, kind: TableDefinition['kind']): TableDefinition {
  return {
    name,
    layer: 'silver',
    kind,
    comment: 'Sales cleansed, typed, validated and deduplicated by transaction id (latest timestamp wins).',
    source: { type: 'table', table: bronze },
    columns: [
      { name: 'transaction_id', type: 'STRING', expression: 'trim(transaction_id)' },
      { name: 'product_id', type: 'STRING', expression: 'upper(trim(product_id))' },
      { name: 'store_id', type: 'STRING', expression: 'upper(trim(store_id))' },
      { name: 'promotion_id', type: 'STRING', expression: "nullif(upper(trim(promotion_id)), '')" },
      { name: 'quantity', type: 'INT' },
      { name: 'unit_price', type: 'DECIMAL(10,2)' },
      { name: 'transaction_ts', type: 'TIMESTAMP', expression: 'trim(transaction_ts)' },
      { name: 'customer_id', type: 'STRING', expression: 'trim(customer_id)' },
      { name: 'channel', type: 'STRING', expression: 'lower(trim(channel))' },
    ],
    expectations: [
      drop('valid_transaction_id', "transaction_id IS NOT NULL AND transaction_id <> ''"),
      drop('valid_product_id', 'product_id IS NOT NULL'),
      drop('valid_store_id', 'store_id IS NOT NULL'),
      drop('positive_quantity', 'quantity > 0'),
      drop('positive_price', 'unit_price > 0'),
      drop('valid_timestamp', 'transaction_ts IS NOT NULL'),
      drop('not_in_future', 'transaction_ts <= now() + INTERVAL 1 DAY'),
      warn('known_channel', "channel IN ('store', 'online', 'mobile')"),
    ],
    dedupe: { keys: ['transaction_id'], sequence_by: 'transaction_ts' },
    quarantine_table: `${name}_quarantine`,
  };
}

const SPARK_TYPES: Record<RawColumn['type'], string> = { VARCHAR: 'STRING', INTEGER: 'INT', DOUBLE: 'DOUBLE', DATE: 'DATE' };

/** The landing files' schema, declared (as the simulator writes them), so an empty folder still gives an empty table. */
function fileSchema(columns: readonly RawColumn[]): string {
  return columns.map((c) => `${c.name} ${SPARK_TYPES[c.type]}`).join(', ');
}

function bronzeFiles(name: string, dir: string, comment: string, columns: readonly RawColumn[]): TableDefinition {
  return {
    name,
    layer: 'bronze',
    kind: 'streaming_table',
    comment,
    source: { type: 'files', path: `${LANDING}/${dir}`, format: 'parquet', options: { schema: fileSchema(columns) } },
  };
}

export const streamingTables: TableDefinition[] = [
  bronzeFiles('bronze.sales_stream_raw', 'sales_stream', 'Streaming sales as they land, one row per record, unparsed.', SALES_FILE_COLUMNS),
  silverSales('silver.sales_stream', 'bronze.sales_stream_raw', 'streaming_table'),
];

export const batchTables: TableDefinition[] = [
  bronzeFiles('bronze.products_raw', 'products', 'Product catalogue files as landed.', PRODUCT_COLUMNS),
  bronzeFiles('bronze.stores_raw', 'stores', 'Store master data files as landed.', STORE_COLUMNS),
  bronzeFiles('bronze.promotions_raw', 'promotions', 'Promotion calendar files as landed.', PROMOTION_COLUMNS),
  bronzeFiles('bronze.sales_batch_raw', 'sales_batch', 'Daily batch sales extracts as landed.', SALES_FILE_COLUMNS),
  {
    name: 'silver.products',
    layer: 'silver',
    kind: 'streaming_table',
    source: { type: 'table', table: 'bronze.products_raw' },
    columns: [
      { name: 'product_id', type: 'STRING', expression: 'upper(trim(product_id))' },
      { name: 'product_name', type: 'STRING', expression: 'trim(product_name)' },
      { name: 'category', type: 'STRING', expression: 'upper(trim(category))' },
      { name: 'unit_cost', type: 'DECIMAL(10,2)' },
      { name: '_ingested_at', type: 'TIMESTAMP' },
    ],
    expectations: [drop('valid_product_id', 'product_id IS NOT NULL'), warn('has_category', 'category IS NOT NULL')],
    dedupe: { keys: ['product_id'], sequence_by: '_ingested_at' },
    quarantine_table: 'silver.products_quarantine',
  },
  {
    name: 'silver.stores',
    layer: 'silver',
    kind: 'streaming_table',
    source: { type: 'table', table: 'bronze.stores_raw' },
    columns: [
      { name: 'store_id', type: 'STRING', expression: 'upper(trim(store_id))' },
      { name: 'store_name', type: 'STRING', expression: 'trim(store_name)' },
      { name: 'city', type: 'STRING', expression: 'trim(city)' },
      { name: 'region', type: 'STRING', expression: 'upper(trim(region))' },
      { name: '_ingested_at', type: 'TIMESTAMP' },
    ],
    expectations: [drop('valid_store_id', 'store_id IS NOT NULL')],
    dedupe: { keys: ['store_id'], sequence_by: '_ingested_at' },
    quarantine_table: 'silver.stores_quarantine',
  },
  {
    name: 'silver.promotions',
    layer: 'silver',
    kind: 'streaming_table',
    source: { type: 'table', table: 'bronze.promotions_raw' },
    columns: [
      { name: 'promotion_id', type: 'STRING', expression: 'upper(trim(promotion_id))' },
      { name: 'promo_name', type: 'STRING', expression: 'trim(promo_name)' },
      { name: 'discount_pct', type: 'DECIMAL(5,2)' },
      { name: 'start_date', type: 'DATE' },
      { name: 'end_date', type: 'DATE' },
      { name: '_ingested_at', type: 'TIMESTAMP' },
    ],
    expectations: [
      drop('valid_promotion_id', 'promotion_id IS NOT NULL'),
      drop('valid_discount', 'discount_pct >= 0 AND discount_pct <= 90'),
      drop('valid_period', 'start_date <= end_date'),
    ],
    dedupe: { keys: ['promotion_id'], sequence_by: '_ingested_at' },
    quarantine_table: 'silver.promotions_quarantine',
  },
  silverSales('silver.sales_batch', 'bronze.sales_batch_raw', 'streaming_table'),
];

const SALES_COLUMNS = 'transaction_id, product_id, store_id, promotion_id, quantity, unit_price, transaction_ts, customer_id, channel';

// Sales totals by day, by store and by product, which the summary's metrics and the dashboard's views read instead
// of every gold row. Only sum, count, min and max, so the local engine maintains them by merging the groups of
// gold's new rows (GROUP_AGGREGATE) while gold only gains rows; the notebook on Databricks rebuilds them as it
// rebuilds gold. Revenue stays an exact DECIMAL sum.
const salesAggregates: TableDefinition[] = [
  {
    name: 'gold.sales_daily',
    layer: 'gold',
    kind: 'materialized_view',
    comment: 'Sales by day: revenue, transactions, units and the first and last transaction time.',
    query: `SELECT
  CAST(transaction_ts AS DATE) AS sales_date,
  sum(total_revenue) AS revenue,
  count(*) AS transactions,
  sum(quantity) AS units,
  min(transaction_ts) AS first_ts,
  max(transaction_ts) AS last_ts
FROM \${catalog}.gold.sales_enriched
GROUP BY CAST(transaction_ts AS DATE)`,
    expectations: [],
  },
  {
    name: 'gold.sales_by_store',
    layer: 'gold',
    kind: 'materialized_view',
    comment: 'Sales by store: revenue, transactions and units.',
    query: `SELECT store_id, store_name, city, region, sum(total_revenue) AS revenue, count(*) AS transactions, sum(quantity) AS units
FROM \${catalog}.gold.sales_enriched
GROUP BY store_id, store_name, city, region`,
    expectations: [],
  },
  {
    name: 'gold.sales_by_product',
    layer: 'gold',
    kind: 'materialized_view',
    comment: 'Sales by product: revenue, transactions and units.',
    query: `SELECT product_id, product_name, category, sum(total_revenue) AS revenue, count(*) AS transactions, sum(quantity) AS units
FROM \${catalog}.gold.sales_enriched
GROUP BY product_id, product_name, category`,
    expectations: [],
  },
];

export const goldTables: TableDefinition[] = [
  {
    name: 'gold.sales_enriched',
    layer: 'gold',
    kind: 'materialized_view',
    comment: 'Batch and streaming sales, one row per transaction, joined with products, stores and promotions; revenue and calendar columns.',
    // A transaction may arrive by both batch and stream (a re-delivered file): it counts once, its latest version
    // (by transaction_ts; the stream's on a tie) wins. Each silver table is already unique per transaction id.
    query: `WITH delivered AS (
  SELECT ${SALES_COLUMNS}, 'batch' AS source FROM \${catalog}.silver.sales_batch
  UNION ALL
  SELECT ${SALES_COLUMNS}, 'stream' AS source FROM \${catalog}.silver.sales_stream
),
sales AS (
  SELECT * FROM delivered
  QUALIFY row_number() OVER (PARTITION BY transaction_id ORDER BY transaction_ts DESC, source DESC) = 1
)
SELECT
  s.transaction_id,
  s.transaction_ts,
  s.product_id,
  coalesce(p.product_name, 'Unknown product') AS product_name,
  coalesce(p.category, 'UNKNOWN') AS category,
  s.store_id,
  coalesce(st.store_name, 'Unknown store') AS store_name,
  st.city,
  st.region,
  s.promotion_id,
  pr.promo_name,
  coalesce(pr.discount_pct, 0) AS discount_pct,
  s.quantity,
  s.unit_price,
  CAST(round(s.quantity * s.unit_price * (1 - coalesce(pr.discount_pct, 0) / 100), 2) AS DECIMAL(18,2)) AS total_revenue,
  year(s.transaction_ts) AS year,
  month(s.transaction_ts) AS month,
  day(s.transaction_ts) AS day,
  s.channel,
  s.source
FROM sales s
LEFT JOIN \${catalog}.silver.products p ON s.product_id = p.product_id
LEFT JOIN \${catalog}.silver.stores st ON s.store_id = st.store_id
LEFT JOIN \${catalog}.silver.promotions pr
  ON s.promotion_id = pr.promotion_id
  AND CAST(s.transaction_ts AS DATE) BETWEEN pr.start_date AND pr.end_date`,
    expectations: [warn('known_product', "category <> 'UNKNOWN'"), warn('known_store', "store_name <> 'Unknown store'")],
  },
  ...salesAggregates,
];

export const goldViews: TableDefinition[] = [
  {
    name: 'gold.v_revenue_daily',
    layer: 'gold',
    kind: 'view',
    query: `SELECT sales_date, revenue, transactions
FROM \${catalog}.gold.sales_daily`,
    expectations: [],
  },
  {
    name: 'gold.v_sales_by_category',
    layer: 'gold',
    kind: 'view',
    query: `SELECT category, sum(revenue) AS revenue, sum(units) AS units
FROM \${catalog}.gold.sales_by_product
GROUP BY category`,
    expectations: [],
  },
  {
    name: 'gold.v_sales_by_store',
    layer: 'gold',
    kind: 'view',
    query: `SELECT store_name, region, sum(revenue) AS revenue, CAST(sum(transactions) AS BIGINT) AS transactions
FROM \${catalog}.gold.sales_by_store
GROUP BY store_name, region`,
    expectations: [],
  },
  {
    name: 'gold.v_top_products',
    layer: 'gold',
    kind: 'view',
    query: `SELECT product_name, category, sum(revenue) AS revenue, sum(units) AS units
FROM \${catalog}.gold.sales_by_product
GROUP BY product_name, category
ORDER BY revenue DESC
LIMIT 10`,
    expectations: [],
  },
];
