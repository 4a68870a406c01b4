// Compile-time checks: `npm run typecheck` fails if a misspelled Databricks field stops being an error.
import { describe, expect, it } from 'vitest';
import { Bundle, Catalog, Job, Notebook, Pipeline, Schema, SecretScope, Volume } from '../../src/index.ts';

describe('definition props use Databricks field names and types', () => {
  it('rejects misspelled fields and wrong enum values at compile time', () => {
    const app = new Bundle({ name: 'b', targets: { dev: { default: true } } });
    const nb = new Notebook(app, 'nb', { source: 'x.py' });
    // @ts-expect-error misspelled job field
    new Job(app, 'j1', { name: 'J', max_concurent_runs: 1 });
    // @ts-expect-error wrong enum value for a schedule's pause_status
    new Job(app, 'j2', { name: 'J', schedule: { quartz_cron_expression: '0 0 * * * ?', timezone_id: 'UTC', pause_status: 'STOPPED' } });
    const job = new Job(app, 'j3', { name: 'J' });
    // @ts-expect-error misspelled task field
    job.notebookTask('t', { notebook: nb, max_retrys: 2 });
    // @ts-expect-error misspelled pipeline field
    new Pipeline(app, 'p', { catalog: 'c', serverles: true });
    // @ts-expect-error unknown secret scope backend
    new SecretScope(app, 's', { backend_type: 'HASHICORP' });
    // @ts-expect-error misspelled schema field
    const schema = new Schema(app, 'sc', { catalog: 'c', coment: 'x' });
    // @ts-expect-error unknown volume type
    new Volume(app, 'v', { schema, volume_type: 'TEMPORARY' });
    // @ts-expect-error a privilege Unity Catalog does not have
    new Catalog(app, 'cat', { grants: [{ principal: 'data-team', privileges: ['READ_EVERYTHING'] }] });
    expect(job.taskKeys).toEqual(['t']);
  });
});
