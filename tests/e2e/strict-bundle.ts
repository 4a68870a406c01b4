// The "strict" bundle of the local e2e tests: one pipeline whose silver table fails on a non-positive quantity
// (a `fail` expectation), reading Parquet files from its landing folder; each test adds the jobs it needs.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { REPO_ROOT, tempDir } from '../build/helpers.ts';

/** The bundle file: the app and its `pipeline`, then `jobs` (source that may use `app`, `pipeline` and `Notebook`). */
export function strictBundle(jobs: string): string {
  return `import { Bundle, Job, Notebook, Pipeline } from ${JSON.stringify(join(REPO_ROOT, 'src/index.ts'))};
const app = new Bundle({ name: 'strict', variables: { catalog: { default: 'strict_cat' } }, targets: { local: { default: true, local: true } } });
const pipeline = new Pipeline(app, 'orders', {
  catalog: app.var('catalog'),
  schema: 'silver',
  tables: [
    { name: 'bronze.orders_raw', layer: 'bronze', kind: 'streaming_table', source: { type: 'files', path: '/Volumes/\${catalog}/landing/raw/orders', format: 'parquet' } },
    {
      name: 'silver.orders', layer: 'silver', kind: 'streaming_table', source: { type: 'table', table: 'bronze.orders_raw' },
      columns: [{ name: 'order_id', type: 'STRING' }, { name: 'quantity', type: 'INT' }],
      expectations: [{ name: 'positive_quantity', condition: 'quantity > 0', action: 'fail' }],
    },
  ],
});
${jobs}
export default app;
`;
}

/** Lands a Parquet file of (order_id, quantity) rows whole: written aside, then renamed into the folder. */
export async function landOrders(landing: string, name: string, rows: [string, number][]): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const values = rows.map(([id, q]) => `('${id}', ${q})`).join(', ');
  await c.run(`COPY (SELECT * FROM (VALUES ${values}) t(order_id, quantity)) TO '${join(landing, `_${name}`)}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
  await rename(join(landing, `_${name}`), join(landing, name));
}

/** A scratch project of `bundle` with its own local state folder, and `orders` landed as part-0.parquet. */
export async function strictProject(name: string, bundle: string, orders: [string, number][]): Promise<{ dir: string; env: { DBX_TS_LOCAL_DIR: string }; landing: string }> {
  const dir = await tempDir(name);
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  await writeFile(join(dir, 'bundle.ts'), bundle);
  const env = { DBX_TS_LOCAL_DIR: join(dir, '.dbx-ts', 'local') };
  const landing = join(env.DBX_TS_LOCAL_DIR, 'volumes', 'strict_cat', 'landing', 'raw', 'orders');
  await mkdir(landing, { recursive: true });
  await landOrders(landing, 'part-0.parquet', orders);
  return { dir, env, landing };
}
