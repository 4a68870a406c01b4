// The "strict" bundle of the local e2e tests: one pipeline whose silver table fails on a non-positive quantity
// (a `fail` expectation), reading Parquet files from its landing folder; each test adds the jobs it needs.
import { join } from 'node:path';
import { REPO_ROOT } from '../build/helpers.ts';

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
