// Shared set-up for the local engine tests: a temp landing root and database, and table fixtures
// for the simulator's sales data (the reference bundle's own tables live in bundles/ and may change).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExpectationModel, TableModel } from '../../src/model/types.ts';
import { openLocalDatabase } from '../../src/local/engine/index.ts';
import type { LocalDatabase, RunTablesOptions } from '../../src/local/engine/index.ts';

export const CATALOG = 'lakehouse';
/** Landing folders live in the volume `${catalog}.landing.raw`. */
export const VOLUME = '/Volumes/${catalog}/landing/raw';

export interface Workspace {
  root: string;
  landingRoot: string;
  /** Local folder behind VOLUME. */
  landingDir: string;
  db: LocalDatabase;
  options(extra?: Partial<RunTablesOptions>): RunTablesOptions;
  rows(sql: string, params?: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  one(sql: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  cleanup(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const root = mkdtempSync(join(tmpdir(), 'dbx-engine-'));
  const landingRoot = join(root, 'volumes');
  const db = await openLocalDatabase(join(root, 'db'), CATALOG);
  const rows = async (sql: string, params: Record<string, unknown> = {}) => {
    const client = await db.openSqlClient();
    try {
      const out: Record<string, unknown>[] = [];
      for await (const row of client.query(sql, params)) out.push(row);
      return out;
    } finally {
      await client.close();
    }
  };
  return {
    root,
    landingRoot,
    landingDir: join(landingRoot, CATALOG, 'landing', 'raw'),
    db,
    // Files these tests write are complete when written: no waiting for them to settle (the Auto Loader
    // tests of settling pass their own virtual clock).
    options: (extra = {}) => ({ catalog: CATALOG, landingRoot, pipelineName: 'test_pipeline', settling: { settleMs: 0, now: Date.now, sleep: async () => {} }, ...extra }),
    rows,
    one: async (sql, params) => (await rows(sql, params))[0] ?? {},
    async cleanup() {
      await db.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const drop = (name: string, condition: string): ExpectationModel => ({ name, condition, action: 'drop' });
const warn = (name: string, condition: string): ExpectationModel => ({ name, condition, action: 'warn' });

/** A bronze table over a landing folder; `schema` declares the files' schema (Spark DDL), else it is inferred. */
export function bronze(name: string, dir: string, schema?: string): TableModel {
  const options = schema !== undefined ? { options: { schema } } : {};
  return { name, layer: 'bronze', kind: 'streaming_table', source: { type: 'files', path: `${VOLUME}/${dir}`, format: 'parquet', ...options }, expectations: [] };
}

/** Silver sales over a bronze table: typed, validated, deduplicated by transaction id. */
export function silverSales(name: string, source: string, { knownProductRule = true } = {}): TableModel {
  return {
    name,
    layer: 'silver',
    kind: 'streaming_table',
    source: { type: 'table', table: source },
    columns: [
      { name: 'transaction_id', type: 'STRING' },
      { name: 'product_id', type: 'STRING', expression: 'upper(trim(product_id))' },
      { name: 'store_id', type: 'STRING', expression: 'upper(trim(store_id))' },
      { name: 'promotion_id', type: 'STRING' },
      { name: 'quantity', type: 'INT' },
      { name: 'unit_price', type: 'DECIMAL(10,2)' },
      { name: 'transaction_ts', type: 'TIMESTAMP' },
      { name: 'customer_id', type: 'STRING' },
      { name: 'channel', type: 'STRING' },
    ],
    expectations: [
      drop('valid_product_id', 'product_id IS NOT NULL'),
      drop('valid_store_id', 'store_id IS NOT NULL'),
      drop('positive_quantity', 'quantity > 0'),
      drop('positive_price', 'unit_price > 0'),
      drop('not_in_future', 'transaction_ts <= current_timestamp()'),
      // Needs silver.products in the same catalog.
      ...(knownProductRule ? [warn('known_product', 'product_id IN (SELECT product_id FROM ${catalog}.silver.products)')] : []),
    ],
    dedupe: { keys: ['transaction_id'], sequence_by: 'transaction_ts' },
    quarantine_table: `${name}_quarantine`,
  };
}

export function salesTables(): TableModel[] {
  return [
    bronze('bronze.products_raw', 'products'),
    bronze('bronze.stores_raw', 'stores'),
    bronze('bronze.sales_batch_raw', 'sales_batch'),
    {
      name: 'silver.products',
      layer: 'silver',
      kind: 'streaming_table',
      source: { type: 'table', table: 'bronze.products_raw' },
      columns: [
        { name: 'product_id', type: 'STRING' },
        { name: 'product_name', type: 'STRING' },
        { name: 'category', type: 'STRING', expression: 'initcap(trim(category))' },
        { name: 'unit_cost', type: 'DECIMAL(10,2)' },
        { name: '_ingested_at', type: 'TIMESTAMP' },
      ],
      expectations: [drop('valid_product_id', 'product_id IS NOT NULL')],
      dedupe: { keys: ['product_id'], sequence_by: '_ingested_at' },
    },
    {
      name: 'silver.stores',
      layer: 'silver',
      kind: 'streaming_table',
      source: { type: 'table', table: 'bronze.stores_raw' },
      expectations: [],
    },
    silverSales('silver.sales_batch', 'bronze.sales_batch_raw'),
    {
      name: 'gold.sales',
      layer: 'gold',
      kind: 'materialized_view',
      query: `SELECT s.transaction_id, s.transaction_ts, p.category, st.region, s.quantity,
                CAST(s.quantity * s.unit_price AS DECIMAL(18,2)) AS revenue,
                year(s.transaction_ts) AS year, month(s.transaction_ts) AS month, day(s.transaction_ts) AS day
              FROM \${catalog}.silver.sales_batch s
              JOIN \${catalog}.silver.products p ON s.product_id = p.product_id
              JOIN \${catalog}.silver.stores st ON s.store_id = st.store_id`,
      expectations: [warn('positive_revenue', 'revenue > 0')],
    },
    {
      name: 'gold.v_revenue_by_category',
      layer: 'gold',
      kind: 'view',
      query: 'SELECT category, sum(revenue) AS revenue, count(*) AS transactions FROM ${catalog}.gold.sales GROUP BY category',
      expectations: [],
    },
  ];
}

export function sqlList(ids: readonly string[]): string {
  return ids.map((id) => `'${id.replaceAll("'", "''")}'`).join(', ');
}

/** Writes the result of `select` (DuckDB SQL) as a Parquet file. */
export async function writeParquet(path: string, select: string): Promise<void> {
  const { mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  const { DuckDbSql } = await import('../../src/sql/duckdb.ts');
  mkdirSync(dirname(path), { recursive: true });
  const client = await DuckDbSql.open(':memory:');
  try {
    for await (const _ of client.query(`COPY (${select}) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`)) {
      // COPY returns one row with its count
    }
  } finally {
    await client.close();
  }
}
