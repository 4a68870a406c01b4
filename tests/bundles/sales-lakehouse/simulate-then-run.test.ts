// `dbx-ts simulate` (batch files only, no --stream) then `dbx-ts run`: the streaming landing folder is empty, so
// the stream's bronze and silver tables are created empty from their declared file schema (as on Databricks,
// where the empty streaming table exists) and gold, the summary and the dashboard are built from batch sales.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, scratchProject } from '../../build/helpers.ts';

describe('the reference bundle: simulate, then run', () => {
  it('runs all six tasks with no streaming files yet, and says where they would go', async () => {
    const project = await scratchProject();
    const env = { OPENAI_API_KEY: '', DBX_TS_LOCAL_DIR: join(project, '.dbx-ts', 'local') };
    const simulate = await runCli(['simulate', '--rows', '2000'], { cwd: project, env });
    expect(simulate.code).toBe(0);
    const run = await runCli(['run', 'unified-workflow'], { cwd: project, env });
    // The simulator lands one corrupt file on purpose: its warning is the only thing on stderr.
    expect(run.stderr.split('\n').filter((l) => l.startsWith('error') || (l.startsWith('warning') && !l.includes('skipped unreadable file')))).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('simulating data');
    const streamDir = join(env.DBX_TS_LOCAL_DIR, 'volumes', 'sales_lakehouse', 'landing', 'raw', 'sales_stream');
    expect(run.stdout).toContain(`No files yet for sales_lakehouse.bronze.sales_stream_raw: put parquet files in ${streamDir}`);
    expect(run.stdout).toMatch(/sales_lakehouse\.silver\.sales_stream: read 0, inserted 0/);
    expect(run.stdout).toMatch(/task update_dashboard: TERMINATED SUCCESS/);
    const sources = await runCli(['query', 'SELECT source, count(*) AS n FROM sales_lakehouse.gold.sales_enriched GROUP BY source', '-o', 'csv'], { cwd: project, env });
    expect(sources.stdout.replaceAll('\r\n', '\n')).toMatch(/^source,n\nbatch,\d+\n$/);
  });
});
