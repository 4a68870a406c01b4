// Benchmark of the local engine (`npm run bench:local`): sales generated inside DuckDB at 1M and 10M rows,
// pushed bronze → silver → gold by the engine, and by a hand-written DuckDB SQL script doing the same work
// (the baseline), each run in its own process, in alternating order (bench/harness.ts). Prints wall and CPU
// time, peak RSS per side, the paired engine/baseline ratios and the 10M/1M scaling.
// Targets: engine/baseline ≤ 1.3 (paired median, wall) at 10M rows; 10M/1M CPU time ≤ 11; the gold table with
// expectations and a dedupe (its whole update in the engine) ≤ 1.1× the same CREATE TABLE AS. That one statement
// is timed twice: against the baseline process's own CREATE TABLE AS (other process, other moment: on a shared
// machine its wall time swings by ±40% with the load), and against the same CREATE TABLE AS run right after the
// pipeline in the engine's process on the very input the engine's table read (the target: it isolates what the
// expectations cost; it runs second, on a warm input, which favours the CREATE TABLE AS).
//
//   npx tsx bench/local.ts [--sizes 1000000,10000000] [--reps 3] [--files 8] [--keep]

import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openLocalDatabase, runTables } from '../src/local/engine/index.ts';
import type { TableModel } from '../src/model/types.ts';
import { childSide, comparePaired, defaultReps, formatComparison, pairedRatios, serveSide, sideRequest, sideSpread, spread, Targets } from './harness.ts';
import type { Comparison, Sample, SideTimer } from './harness.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    reps: { type: 'string', default: String(defaultReps()) },
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
    {
      name: LATEST_TABLE,
      layer: 'gold',
      kind: 'materialized_view',
      query: LATEST_QUERY.replaceAll('{gold}', '${catalog}.gold'),
      expectations: [
        { name: 'positive_revenue', condition: 'revenue > 0', action: 'warn' },
        { name: 'known_region', condition: 'region IS NOT NULL', action: 'warn' },
      ],
    },
    { name: 'gold.v_revenue_daily', layer: 'gold', kind: 'view', query: DAILY_VIEW.replaceAll('{gold}', '${catalog}.gold'), expectations: [] },
  ];
}

/** A gold table with expectations and a dedupe: each region's latest sale of each day. */
const LATEST_QUERY = `SELECT region, year, month, day, transaction_id, transaction_ts, category, revenue
FROM {gold}.sales_enriched
QUALIFY row_number() OVER (PARTITION BY region, year, month, day ORDER BY transaction_ts DESC, transaction_id DESC) = 1`;
const LATEST_TABLE = 'gold.latest_sale_by_region';

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
    `CREATE TABLE ${LATEST_TABLE} AS ${LATEST_QUERY.replaceAll('{gold}', 'gold')}`,
    `CREATE VIEW gold.v_revenue_daily AS ${DAILY_VIEW.replaceAll('{gold}', 'gold')}`,
  ];
}


interface SideRequest {
  side: 'engine' | 'baseline';
  landingRoot: string;
  dbDir: string;
}

async function readTotals(c: DuckDBConnection): Promise<Record<string, number>> {
  const reader = await c.runAndReadAll(
    `SELECT (SELECT count(*) FROM silver.sales) AS silver, (SELECT count(*) FROM gold.sales_enriched) AS gold,
            (SELECT sum(revenue)::DOUBLE FROM gold.v_revenue_daily) AS revenue, (SELECT count(*) FROM ${LATEST_TABLE}) AS latest`,
  );
  const [row] = reader.getRowObjectsJson();
  return { silver: Number(row!.silver), gold: Number(row!.gold), revenue: Number(row!.revenue), latest: Number(row!.latest) };
}

/** In the child process: one run of one side, timed by the harness up to `stop()`. */
async function runSide(request: SideRequest, timer: SideTimer): Promise<Record<string, number>> {
  rmSync(request.dbDir, { recursive: true, force: true });
  mkdirSync(request.dbDir, { recursive: true });
  try {
    if (request.side === 'engine') {
      const db = await openLocalDatabase(request.dbDir, CATALOG);
      try {
        const checkedCpu = cpuOfTable(`${CATALOG}.${LATEST_TABLE}`);
        const trace = process.env.BENCH_PROFILE ? traceTimer() : undefined;
        const update = await runTables(db, pipeline(), {
          catalog: CATALOG,
          landingRoot: request.landingRoot,
          pipelineName: 'bench',
          traceSql: trace !== undefined,
          sink: (event) => {
            checkedCpu.sink(event);
            trace?.(event);
          },
        });
        timer.stop();
        const c = await db.connect();
        try {
          // The gold table with expectations: its whole update, against CREATE TABLE AS alone.
          const checked = update.tables.find((t) => t.table === `${CATALOG}.${LATEST_TABLE}`)!.duration_ms;
          const same = await timed(() => c.run(`CREATE TABLE ${CATALOG}.gold.__same_ctas AS ${LATEST_QUERY.replaceAll('{gold}', `${CATALOG}.gold`)}`));
          return { ...(await readTotals(c)), checked_ms: checked, checked_cpu_ms: checkedCpu.ms(), same_ctas_ms: same.wallMs, same_ctas_cpu_ms: same.cpuMs };
        } finally {
          c.closeSync();
        }
      } finally {
        await db.close();
      }
    }
    const instance = await DuckDBInstance.create(join(request.dbDir, 'baseline.duckdb'));
    const c = await instance.connect();
    try {
      let checked = { wallMs: NaN, cpuMs: NaN };
      for (const statement of baselineScript(join(request.landingRoot, CATALOG, 'landing', 'raw'))) {
        const t = await timed(() => c.run(statement));
        if (statement.includes(LATEST_TABLE)) checked = t;
        if (process.env.BENCH_PROFILE) console.log(`${Math.round(t.wallMs)} ms  ${statement.replace(/\s+/g, ' ').slice(0, 100)}`);
      }
      timer.stop();
      return { ...(await readTotals(c)), checked_ms: checked.wallMs, checked_cpu_ms: checked.cpuMs };
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  } finally {
    rmSync(request.dbDir, { recursive: true, force: true });
  }
}

/** Wall and CPU time (this process: DuckDB's threads included) of one step. */
async function timed(step: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await step();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}

/** CPU time of one table's update, from the engine's events: its refresh decision comes first, its result last. */
function cpuOfTable(table: string) {
  let start: NodeJS.CpuUsage | undefined;
  let ms = NaN;
  return {
    sink(event: { code: string; data?: unknown }) {
      const about = (event.data as { table?: string } | undefined)?.table === table;
      if (about && event.code === 'table.refresh') start = process.cpuUsage();
      else if (about && event.code === 'log' && start) {
        const used = process.cpuUsage(start);
        ms = (used.user + used.system) / 1000;
      }
    },
    ms: () => ms,
  };
}

/** With BENCH_PROFILE set: prints each engine statement with the time until the next one started. */
function traceTimer() {
  let last: { sql: string; at: number } | undefined;
  return (event: { code: string; message: string; level?: string }) => {
    if (event.code !== 'log' || event.level !== 'debug') return;
    const now = performance.now();
    if (last && now - last.at > 20) console.log(`${Math.round(now - last.at)} ms  ${last.sql.replace(/\s+/g, ' ').slice(0, 110)}`);
    last = { sql: event.message, at: now };
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Per engine run: the gold table's update over the same CREATE TABLE AS in the same process. */
function sameRatios(c: Comparison, unit: 'ms' | 'cpu_ms') {
  return spread(c.pairs.map((p) => p.measured.metrics[`checked_${unit}`]! / p.measured.metrics[`same_ctas_${unit}`]!));
}

function checkedVsSame(c: Comparison): { wall: string; cpu: string } {
  const show = (r: { min: number; median: number; max: number }) => `${r.min.toFixed(2)} / ${r.median.toFixed(2)} / ${r.max.toFixed(2)}`;
  return { wall: show(sameRatios(c, 'ms')), cpu: show(sameRatios(c, 'cpu_ms')) };
}

async function main(): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const targets = new Targets();
  const bySize = new Map<number, Comparison>();
  try {
    for (const rows of sizes) {
      const landingRoot = join(root, `land-${rows}`);
      const t0 = performance.now();
      await generate(join(landingRoot, CATALOG, 'landing', 'raw'), rows);
      console.log(`generated ${fmt(rows)} sales rows in ${fileCount} files (${fmt(performance.now() - t0)} ms)`);
      const comparison = await comparePaired({
        title: `local engine, ${fmt(rows)} rows`,
        measured: childSide('engine', script, { side: 'engine', landingRoot, dbDir: join(root, 'engine-db') } satisfies SideRequest),
        baseline: childSide('hand-written DuckDB SQL', script, { side: 'baseline', landingRoot, dbDir: join(root, 'baseline-db') } satisfies SideRequest),
        reps,
        onPair: (p) => {
          const differs = ['silver', 'gold', 'revenue', 'latest'].filter((k) => p.measured.metrics[k] !== p.baseline.metrics[k]);
          if (differs.length > 0) throw new Error(`engine and baseline outputs differ (${differs.join(', ')}): ${JSON.stringify([p.measured.metrics, p.baseline.metrics])}`);
          console.log(`  pair ${p.rep + 1} (${p.first} first): engine ${fmt(p.measured.wallMs)} ms (cpu ${fmt(p.measured.cpuMs)}), baseline ${fmt(p.baseline.wallMs)} ms (cpu ${fmt(p.baseline.cpuMs)}); outputs match`);
          const m = p.measured.metrics;
          console.log(
            `    ${LATEST_TABLE}: engine ${fmt(m['checked_ms']!)} ms (cpu ${fmt(m['checked_cpu_ms']!)}), the same CREATE TABLE AS after it ${fmt(m['same_ctas_ms']!)} ms (cpu ${fmt(m['same_ctas_cpu_ms']!)}); in the baseline's process ${fmt(p.baseline.metrics['checked_ms']!)} ms (cpu ${fmt(p.baseline.metrics['checked_cpu_ms']!)})`,
          );
        },
      });
      bySize.set(rows, comparison);
      rmSync(landingRoot, { recursive: true, force: true });
    }
  } finally {
    if (!args.keep) rmSync(root, { recursive: true, force: true });
  }

  for (const [rows, c] of bySize) {
    console.log('');
    console.log(
      formatComparison(c, [
        { key: 'silver', label: 'silver rows', format: fmt },
        { key: 'checked_ms', label: `${LATEST_TABLE} (2 expectations, dedupe) vs the baseline's CREATE TABLE AS, wall ms`, format: fmt, ratio: true },
        { key: 'checked_cpu_ms', label: '  the same, cpu ms', format: fmt, ratio: true },
      ]),
    );
    const same = checkedVsSame(c);
    console.log(`  ${LATEST_TABLE} / the same CREATE TABLE AS in the engine's process, on the same input (min / median / max): wall ${same.wall}, cpu ${same.cpu}`);
    const perSecond = (rows / sideSpread(c, 'measured', (s) => s.wallMs).median) * 1000;
    console.log(`  engine throughput: ${fmt(perSecond)} rows/s (median wall)`);
    if (rows === 10_000_000) console.log(targets.check('engine/baseline at 10M rows, paired median wall', pairedRatios(c, (s) => s.wallMs).median, 1.3));
    if (rows === 10_000_000) console.log(targets.check('gold table with expectations / the same CREATE TABLE AS on its input at 10M rows, median wall', sameRatios(c, 'ms').median, 1.1));
  }
  const small = bySize.get(1_000_000);
  const large = bySize.get(10_000_000);
  if (small && large) {
    const scaling = (pick: (s: Sample) => number) => sideSpread(large, 'measured', pick).median / sideSpread(small, 'measured', pick).median;
    console.log(`\n10M/1M engine time (medians): ${scaling((s) => s.wallMs).toFixed(2)}× wall, ${scaling((s) => s.cpuMs).toFixed(2)}× cpu`);
    console.log(targets.check('10M/1M engine cpu time', scaling((s) => s.cpuMs), 11));
  }
  targets.finish();
}

const request = sideRequest<SideRequest>();
if (request) await serveSide((timer) => runSide(request, timer));
else await main();
