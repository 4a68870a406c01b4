// Benchmark of the local engine (`npm run bench:local`): sales generated inside DuckDB at 1M and 10M rows,
// pushed bronze → silver → gold by the engine, and by a hand-written DuckDB SQL script doing the same work
// in the same process (the baseline). Prints rows/s, peak RSS, engine/baseline ratio and the 10M/1M ratio.
//
//   npx tsx bench/local.ts [--sizes 1000000,10000000] [--reps 1] [--files 8] [--keep]

import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openLocalDatabase, runTables } from '../src/local/engine/index.ts';
import type { TableModel } from '../src/model/types.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    reps: { type: 'string', default: '1' },
    files: { type: 'string', default: '8' },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = args.sizes.split(',').map(Number);
const reps = Number(args.reps);
const fileCount = Number(args.files);
const root = join(tmpdir(), `dbx-bench-local-${process.pid}`);
const CATALOG = 'bench';

/** Sales with ~1% negative quantities, ~1% unparseable timestamps and ~1% repeated ids (late updates). */
function salesSql(from: number, to: number): string {
  return `SELECT
    'T' || lpad((CASE WHEN i % 100 = 7 THEN i - 1 ELSE i END)::VARCHAR, 10, '0') AS transaction_id,
    'P' || lpad((1 + hash(i) % 200)::VARCHAR, 4, '0') AS product_id,
    'S' || lpad((1 + hash(i * 7) % 25)::VARCHAR, 3, '0') AS store_id,
    CASE WHEN i % 3 = 0 THEN 'PR' || lpad((1 + i % 10)::VARCHAR, 3, '0') END AS promotion_id,
    CASE WHEN i % 97 = 0 THEN -1 ELSE (1 + hash(i * 3) % 10)::INTEGER END AS quantity,
    round(1 + (hash(i * 5) % 20000) / 100.0, 2) AS unit_price,
    CASE WHEN i % 101 = 0 THEN 'not-a-timestamp'
         ELSE strftime(TIMESTAMP '2024-01-01' + to_seconds((hash(i * 11) % 31536000)::BIGINT), '%Y-%m-%d %H:%M:%S') END AS transaction_ts,
    'C' || lpad((hash(i * 13) % 50000)::VARCHAR, 6, '0') AS customer_id,
    ['store', 'online', 'mobile'][1 + i % 3] AS channel
  FROM range(${from}, ${to}) AS t(i)`;
}

const PRODUCTS_SQL = `SELECT 'P' || lpad(i::VARCHAR, 4, '0') AS product_id, 'Product ' || i AS product_name,
  ['Electronics', 'Grocery', 'Toys', 'Home'][1 + i % 4] AS category, round(1 + i % 50, 2) AS unit_cost FROM range(1, 201) AS t(i)`;
const STORES_SQL = `SELECT 'S' || lpad(i::VARCHAR, 3, '0') AS store_id, 'Store ' || i AS store_name,
  ['West', 'South', 'Midwest', 'Northeast'][1 + i % 4] AS region FROM range(1, 26) AS t(i)`;

async function generate(dir: string, rows: number): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['sales', 'products', 'stores']) mkdirSync(join(dir, sub), { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    const per = Math.ceil(rows / fileCount);
    for (let f = 0; f < fileCount; f++) {
      const from = f * per;
      const to = Math.min(rows, from + per);
      if (from >= to) break;
      await c.run(`COPY (${salesSql(from, to)}) TO '${join(dir, 'sales', `part-${String(f).padStart(5, '0')}.parquet`)}' (FORMAT parquet)`);
    }
    await c.run(`COPY (${PRODUCTS_SQL}) TO '${join(dir, 'products', 'products.parquet')}' (FORMAT parquet)`);
    await c.run(`COPY (${STORES_SQL}) TO '${join(dir, 'stores', 'stores.parquet')}' (FORMAT parquet)`);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

const files = (dir: string): TableModel['source'] => ({ type: 'files', path: `/Volumes/\${catalog}/landing/raw/${dir}`, format: 'parquet' });

/** The pipeline under test, as a bundle would define it. */
function pipeline(): TableModel[] {
  return [
    { name: 'bronze.sales_raw', layer: 'bronze', kind: 'streaming_table', source: files('sales'), expectations: [] },
    { name: 'bronze.products_raw', layer: 'bronze', kind: 'streaming_table', source: files('products'), expectations: [] },
    { name: 'bronze.stores_raw', layer: 'bronze', kind: 'streaming_table', source: files('stores'), expectations: [] },
    {
      name: 'silver.sales',
      layer: 'silver',
      kind: 'streaming_table',
      source: { type: 'table', table: 'bronze.sales_raw' },
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
        { name: 'valid_product_id', condition: 'product_id IS NOT NULL', action: 'drop' },
        { name: 'positive_quantity', condition: 'quantity > 0', action: 'drop' },
        { name: 'positive_price', condition: 'unit_price > 0', action: 'drop' },
      ],
      dedupe: { keys: ['transaction_id'], sequence_by: 'transaction_ts' },
      quarantine_table: 'silver.sales_quarantine',
    },
    {
      name: 'silver.products',
      layer: 'silver',
      kind: 'materialized_view',
      query: 'SELECT product_id, trim(product_name) AS product_name, upper(trim(category)) AS category FROM ${catalog}.bronze.products_raw',
      expectations: [],
    },
    { name: 'silver.stores', layer: 'silver', kind: 'materialized_view', query: 'SELECT store_id, store_name, region FROM ${catalog}.bronze.stores_raw', expectations: [] },
    {
      name: 'gold.sales_enriched',
      layer: 'gold',
      kind: 'materialized_view',
      query: GOLD_QUERY.replaceAll('{silver}', '${catalog}.silver'),
      expectations: [],
    },
    { name: 'gold.v_revenue_daily', layer: 'gold', kind: 'view', query: DAILY_VIEW.replaceAll('{gold}', '${catalog}.gold'), expectations: [] },
  ];
}

const GOLD_QUERY = `SELECT s.transaction_id, s.transaction_ts, p.category, st.region, s.quantity, s.unit_price,
  CAST(s.quantity * s.unit_price AS DECIMAL(18,2)) AS revenue,
  year(s.transaction_ts) AS year, month(s.transaction_ts) AS month, day(s.transaction_ts) AS day
FROM {silver}.sales s
JOIN {silver}.products p ON s.product_id = p.product_id
JOIN {silver}.stores st ON s.store_id = st.store_id`;
const DAILY_VIEW = `SELECT CAST(transaction_ts AS DATE) AS sales_date, sum(revenue) AS revenue, count(*) AS transactions
FROM {gold}.sales_enriched GROUP BY ALL`;

/** The same work written by hand for DuckDB: no engine, no bookkeeping. */
function baselineScript(landing: string): string[] {
  const read = (dir: string) => `read_parquet('${join(landing, dir)}/*.parquet', union_by_name = true, filename = true)`;
  return [
    'CREATE SCHEMA bronze',
    'CREATE SCHEMA silver',
    'CREATE SCHEMA gold',
    `CREATE TABLE bronze.sales_raw AS SELECT * EXCLUDE (filename), filename AS _source_file, now() AS _ingested_at FROM ${read('sales')}`,
    `CREATE TABLE bronze.products_raw AS SELECT * EXCLUDE (filename), filename AS _source_file, now() AS _ingested_at FROM ${read('products')}`,
    `CREATE TABLE bronze.stores_raw AS SELECT * EXCLUDE (filename), filename AS _source_file, now() AS _ingested_at FROM ${read('stores')}`,
    `CREATE TEMP TABLE typed AS SELECT
       transaction_id, upper(trim(product_id)) AS product_id, upper(trim(store_id)) AS store_id, promotion_id, quantity,
       try_cast(unit_price AS DECIMAL(10,2)) AS unit_price, try_cast(transaction_ts AS TIMESTAMP) AS ts, transaction_ts AS raw_ts,
       customer_id, channel
     FROM bronze.sales_raw`,
    `CREATE TABLE silver.sales_quarantine AS SELECT * FROM typed
     WHERE NOT (product_id IS NOT NULL AND quantity > 0 AND unit_price > 0 AND (ts IS NOT NULL OR raw_ts IS NULL))
        OR product_id IS NULL OR quantity IS NULL OR unit_price IS NULL`,
    `CREATE TABLE silver.sales AS SELECT transaction_id, product_id, store_id, promotion_id, quantity, unit_price, ts AS transaction_ts, customer_id, channel
     FROM typed WHERE product_id IS NOT NULL AND quantity > 0 AND unit_price > 0 AND (ts IS NOT NULL OR raw_ts IS NULL)
     QUALIFY row_number() OVER (PARTITION BY transaction_id ORDER BY ts DESC NULLS LAST) = 1`,
    'CREATE TABLE silver.products AS SELECT product_id, trim(product_name) AS product_name, upper(trim(category)) AS category FROM bronze.products_raw',
    'CREATE TABLE silver.stores AS SELECT store_id, store_name, region FROM bronze.stores_raw',
    `CREATE TABLE gold.sales_enriched AS ${GOLD_QUERY.replaceAll('{silver}', 'silver')}`,
    `CREATE VIEW gold.v_revenue_daily AS ${DAILY_VIEW.replaceAll('{gold}', 'gold')}`,
  ];
}

interface Measured {
  ms: number;
  /** CPU time of the process (all DuckDB threads): steadier than wall time on a shared machine. */
  cpuMs: number;
  silver: number;
  gold: number;
  revenue: string;
}

async function readTotals(c: DuckDBConnection, prefix: string): Promise<Omit<Measured, 'ms' | 'cpuMs'>> {
  const reader = await c.runAndReadAll(
    `SELECT (SELECT count(*) FROM ${prefix}silver.sales) AS silver, (SELECT count(*) FROM ${prefix}gold.sales_enriched) AS gold,
            (SELECT sum(revenue)::VARCHAR FROM ${prefix}gold.v_revenue_daily) AS revenue`,
  );
  const [row] = reader.getRowObjectsJson();
  return { silver: Number(row!.silver), gold: Number(row!.gold), revenue: String(row!.revenue) };
}

async function runEngine(landingRoot: string, dbDir: string): Promise<Measured> {
  rmSync(dbDir, { recursive: true, force: true });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const db = await openLocalDatabase(dbDir, CATALOG);
  try {
    await runTables(db, pipeline(), {
      catalog: CATALOG,
      landingRoot,
      pipelineName: 'bench',
      ...(process.env.BENCH_PROFILE ? { traceSql: true, sink: traceTimer() } : {}),
    });
    const ms = performance.now() - started;
    const cpuMs = cpuSince(cpu);
    const c = await db.connect();
    try {
      return { ms, cpuMs, ...(await readTotals(c, '')) };
    } finally {
      c.closeSync();
    }
  } finally {
    await db.close();
  }
}

async function runBaseline(landing: string, dbDir: string): Promise<Measured> {
  rmSync(dbDir, { recursive: true, force: true });
  mkdirSync(dbDir, { recursive: true });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const instance = await DuckDBInstance.create(join(dbDir, 'baseline.duckdb'));
  const c = await instance.connect();
  try {
    for (const statement of baselineScript(landing)) {
      const t = performance.now();
      const stepCpu = process.cpuUsage();
      await c.run(statement);
      if (process.env.BENCH_PROFILE) {
        console.log(`    ${Math.round(performance.now() - t)} ms (cpu ${cpuSince(stepCpu)} ms)  ${statement.replace(/\s+/g, ' ').slice(0, 90)}`);
      }
    }
    const ms = performance.now() - started;
    const cpuMs = cpuSince(cpu);
    return { ms, cpuMs, ...(await readTotals(c, '')) };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** With BENCH_PROFILE set: prints each engine statement with the time until the next one started. */
function traceTimer() {
  let last: { sql: string; at: number; cpu: NodeJS.CpuUsage } | undefined;
  return (event: { code: string; message: string }) => {
    if (event.code !== 'log') return;
    const now = performance.now();
    if (last && now - last.at > 20) {
      console.log(`    ${Math.round(now - last.at)} ms (cpu ${cpuSince(last.cpu)} ms)  ${last.sql.replace(/\s+/g, ' ').slice(0, 110)}`);
    }
    last = { sql: event.message, at: now, cpu: process.cpuUsage() };
  };
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1000);
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const results: { rows: number; engine: Measured; baseline: Measured; rssAfterEngineMb: number; rssAfterBaselineMb: number }[] = [];
  try {
    for (const rows of sizes) {
      const landingRoot = join(root, `land-${rows}`);
      const landing = join(landingRoot, CATALOG, 'landing', 'raw');
      const t0 = performance.now();
      await generate(landing, rows);
      console.log(`generated ${fmt(rows)} sales rows in ${fileCount} files (${fmt(performance.now() - t0)} ms)`);
      let engine: Measured | undefined;
      let baseline: Measured | undefined;
      let rssAfterEngineMb = 0;
      let rssAfterBaselineMb = 0;
      for (let r = 0; r < reps; r++) {
        const e = await runEngine(landingRoot, join(root, 'engine-db'));
        rssAfterEngineMb = peakRssMb();
        const b = await runBaseline(landing, join(root, 'baseline-db'));
        rssAfterBaselineMb = peakRssMb();
        // Best of the repetitions, by wall time; CPU time is reported beside it.
        if (!engine || e.ms < engine.ms) engine = e;
        if (!baseline || b.ms < baseline.ms) baseline = b;
        console.log(`  rep ${r + 1}: engine ${fmt(e.ms)} ms (cpu ${fmt(e.cpuMs)}), baseline ${fmt(b.ms)} ms (cpu ${fmt(b.cpuMs)})`);
      }
      results.push({ rows, engine: engine!, baseline: baseline!, rssAfterEngineMb, rssAfterBaselineMb });
      const same = engine!.silver === baseline!.silver && engine!.gold === baseline!.gold && engine!.revenue === baseline!.revenue;
      console.log(
        `  outputs ${same ? 'match' : 'DIFFER'}: silver ${fmt(engine!.silver)} / ${fmt(baseline!.silver)}, gold ${fmt(engine!.gold)} / ${fmt(baseline!.gold)}, revenue ${engine!.revenue} / ${baseline!.revenue}`,
      );
      rmSync(landingRoot, { recursive: true, force: true });
    }
  } finally {
    if (!args.keep) rmSync(root, { recursive: true, force: true });
  }

  console.log(
    '\nrows        engine ms   engine rows/s   baseline ms   baseline rows/s   engine/baseline   cpu engine/baseline   peak RSS MB (after engine / baseline)',
  );
  for (const r of results) {
    console.log(
      `${fmt(r.rows).padEnd(11)} ${fmt(r.engine.ms).padStart(9)}   ${fmt((r.rows / r.engine.ms) * 1000).padStart(13)}   ${fmt(r.baseline.ms).padStart(11)}   ${fmt((r.rows / r.baseline.ms) * 1000).padStart(15)}   ${(r.engine.ms / r.baseline.ms).toFixed(2).padStart(15)}   ${(r.engine.cpuMs / r.baseline.cpuMs).toFixed(2).padStart(19)}   ${r.rssAfterEngineMb} / ${r.rssAfterBaselineMb}`,
    );
  }
  const small = results.find((r) => r.rows === 1_000_000);
  const large = results.find((r) => r.rows === 10_000_000);
  if (small && large) {
    const scaling = large.engine.ms / small.engine.ms;
    const ratio = large.engine.ms / large.baseline.ms;
    console.log(`\n10M/1M engine time: ${scaling.toFixed(2)}× wall, ${(large.engine.cpuMs / small.engine.cpuMs).toFixed(2)}× cpu (target ≤ 11)`);
    console.log(`engine/baseline at 10M: ${ratio.toFixed(2)} wall, ${(large.engine.cpuMs / large.baseline.cpuMs).toFixed(2)} cpu (target ≤ 1.3)`);
  }
}

await main();
