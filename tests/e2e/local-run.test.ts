// The README's main command, end to end on the local target: deploy to the local workspace, simulate data,
// run the six tasks on DuckDB, show results; a second run processes only what is new.
import { copyFile, cp, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { runCli, scratchProject } from '../build/helpers.ts';

const TASKS = ['DLT_streaming_data', 'task_ingest_batch_data', 'batch_and_stream_processing', 'optimize_gold_and_create_view', 'gpt_summary', 'update_dashboard'];

function countOf(stdout: string, pattern: RegExp): number {
  return [...stdout.matchAll(pattern)].length;
}

describe('dbx-ts run unified-workflow on the local target', () => {
  let project: string;
  const env = { OPENAI_API_KEY: '', DBX_TS_LOCAL_DIR: '' };
  let first: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    project = await scratchProject();
    env.DBX_TS_LOCAL_DIR = join(project, '.dbx-ts', 'local');
    first = await runCli(['run', 'unified-workflow'], { cwd: project, env });
  });

  it('deploys, simulates, runs all six tasks in order and shows the results', async () => {
    // The simulator lands one corrupt file on purpose: its warning is the only thing on stderr.
    expect(first.stderr.split('\n').filter((l) => l.startsWith('error') || (l.startsWith('warning') && !l.includes('skipped unreadable file')))).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('16 to create');
    expect(first.stdout).toContain('Landing zone is empty: simulating data');
    for (const task of TASKS) {
      expect(first.stdout).toContain(`task ${task}: RUNNING`);
      expect(first.stdout).toMatch(new RegExp(`task ${task}: TERMINATED SUCCESS`));
    }
    // The two ingestion tasks run in parallel: both start before either finishes.
    const lines = first.stdout.split('\n');
    const startOf = (t: string) => lines.findIndex((l) => l.startsWith(`task ${t}: RUNNING`));
    const endOf = (t: string) => lines.findIndex((l) => l.startsWith(`task ${t}: TERMINATED`));
    expect(Math.max(startOf('DLT_streaming_data'), startOf('task_ingest_batch_data'))).toBeLessThan(
      Math.min(endOf('DLT_streaming_data'), endOf('task_ingest_batch_data')),
    );
    expect(startOf('batch_and_stream_processing')).toBeGreaterThan(endOf('task_ingest_batch_data'));
    expect(first.stdout).toMatch(/silver\.sales_batch\s+positive_quantity\s+drop\s+\d+\s+[1-9]\d*\s+[1-9]\d*/);
    expect(first.stdout).toContain('First rows of sales_lakehouse.gold.sales_enriched:');
    expect(first.stdout).toContain('(offline-template)');
    const dashboard = /Dashboard written to (\S+\.html)/.exec(first.stdout)?.[1];
    expect(dashboard).toBeDefined();
    expect((await stat(dashboard!)).size).toBeGreaterThan(10_000);
  });

  it('a second run changes nothing in the workspace and reads no file twice; a new file is read once', async () => {
    const second = await runCli(['run', 'unified-workflow', '--no-show-results'], { cwd: project, env });
    expect(second.code).toBe(0);
    // The workspace holds this bundle as the first run deployed it: no deploy at all.
    expect(second.stdout).toContain('already has this bundle deployed');
    expect(second.stdout).not.toContain('to create');
    expect(second.stdout).not.toContain('simulating data');
    // Nothing new landed: no table is read again, and the event log says why.
    expect(second.stdout).toMatch(/bronze\.sales_stream_raw: skipped: inputs unchanged/);
    expect(second.stdout).toMatch(/bronze\.sales_batch_raw: skipped: inputs unchanged/);
    expect(second.stdout).toMatch(/gold\.sales_enriched: skipped: inputs unchanged/);

    const streamDir = join(env.DBX_TS_LOCAL_DIR, 'volumes', 'sales_lakehouse', 'landing', 'raw', 'sales_stream');
    const [firstBatch] = (await readdir(streamDir)).filter((f) => f.endsWith('.parquet')).sort();
    await copyFile(join(streamDir, firstBatch!), join(streamDir, 'batch-late-arrival.parquet'));
    const before = await runCli(['query', 'SELECT count(*) AS n FROM sales_lakehouse.bronze.sales_stream_raw', '-o', 'json'], { cwd: project, env });
    const third = await runCli(['run', 'unified-workflow', '--no-show-results'], { cwd: project, env });
    expect(third.code).toBe(0);
    const read = Number(/bronze\.sales_stream_raw: read (\d+)/.exec(third.stdout)?.[1]);
    expect(read).toBeGreaterThan(0);
    expect(countOf(third.stdout, /bronze\.sales_batch_raw: skipped: inputs unchanged/g)).toBe(1);
    // Written once for every target: ${catalog}.<schema> is the target's own (here the local catalog and schema).
    const after = await runCli(['query', 'SELECT count(*) AS n FROM ${catalog}.bronze.sales_stream_raw', '-o', 'json'], { cwd: project, env });
    const n = (out: string) => Number(/"n":\s*"?(\d+)/.exec(out)?.[1]);
    expect(n(after.stdout) - n(before.stdout)).toBe(read);

    // Notebook-built tables' data quality, one row per rule and run, in the table the generated notebook writes.
    const quality = await runCli(
      ['query', "SELECT action, failed_records FROM sales_lakehouse.silver.dbx_ts_quality WHERE dataset = 'silver.sales_batch' AND expectation = 'positive_quantity'", '--format', 'json'],
      { cwd: project, env },
    );
    const rows = JSON.parse(quality.stdout) as { action: string; failed_records: string | number }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.action))).toEqual(new Set(['drop']));
    // The first run's count is the one the run showed; later runs read no new batch file.
    const shown = /silver\.sales_batch\s+positive_quantity\s+drop\s+\d+\s+(\d+)/.exec(first.stdout)?.[1];
    expect(Math.max(...rows.map((r) => Number(r.failed_records)))).toBe(Number(shown));
  });

  it('runs list and runs get read the local run history', async () => {
    const list = await runCli(['runs', 'list', 'unified-workflow', '--limit', '2'], { cwd: project, env });
    expect(list.code).toBe(0);
    const ids = [...list.stdout.matchAll(/^(\d+)\s+SUCCESS/gm)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    const get = await runCli(['runs', 'get', ids[0]!], { cwd: project, env });
    expect(get.code).toBe(0);
    for (const task of TASKS) expect(get.stdout).toMatch(new RegExp(`^${task}\\s+SUCCESS`, 'm'));
    const cancel = await runCli(['runs', 'cancel', 'unified-workflow'], { cwd: project, env });
    expect(cancel.code).toBe(2);
    expect(cancel.stderr).toContain('work on workspace targets');
  });

  it('secrets check on the local target looks at local values and says how to set a missing one', async () => {
    const missing = await runCli(['secrets', 'check'], { cwd: project, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing adls_scope/open-ai-api-key (set DBX_TS_SECRET_ADLS_SCOPE__OPEN_AI_API_KEY');
    const present = await runCli(['secrets', 'check'], {
      cwd: project,
      env: { ...env, DBX_TS_SECRET_ADLS_SCOPE__OPEN_AI_API_KEY: 'sk-x-local-only-value', DBX_TS_SECRET_ADLS_SCOPE__ADLS_CLIENT_SECRET: 'y' },
    });
    expect(present.code).toBe(0);
    expect(present.stdout).toContain('found adls_scope/open-ai-api-key');
    expect(present.stdout + present.stderr).not.toContain('sk-x-local-only-value');
  });

  it('show gold and show summary print the local results', async () => {
    const gold = await runCli(['show', 'gold', '-t', 'local', '--limit', '3'], { cwd: project, env });
    expect(gold.code).toBe(0);
    expect(gold.stdout).toContain('total_revenue');
    const summary = await runCli(['show', 'summary', '-t', 'local'], { cwd: project, env });
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain('offline-template');
  });

  it('dashboard renders the HTML file and its data snapshot from the local data', async () => {
    const result = await runCli(['dashboard'], { cwd: project, env });
    expect(result.code).toBe(0);
    const file = join(env.DBX_TS_LOCAL_DIR, 'dashboards', 'sales_dashboard.html');
    expect(result.stdout).toContain(`Dashboard written to ${file}`);
    const snapshot = JSON.parse(await readFile(join(env.DBX_TS_LOCAL_DIR, 'dashboards', 'sales_dashboard.json'), 'utf8'));
    expect(Object.keys(snapshot.data).sort()).toEqual(['latest_summary', 'revenue_daily', 'sales_by_category', 'sales_by_store', 'top_products']);
    expect(snapshot.data.sales_by_category.length).toBeGreaterThan(1);
  });

  it('gpt_summary calls the LLM with the key from the local secret scope, which never shows in the output', async () => {
    const key = 'sk-test-local-scope-key-0123456789abcdef';
    let seenAuth = '';
    const server = createServer((req, res) => {
      seenAuth = String(req.headers.authorization ?? '');
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: 1,
            model: 'fake-llm-1',
            choices: [{ index: 0, message: { role: 'assistant', content: 'Revenue grew; toys led.' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as AddressInfo).port;
      const result = await runCli(['run', 'unified-workflow'], {
        cwd: project,
        env: { ...env, DBX_TS_SECRET_ADLS_SCOPE__OPEN_AI_API_KEY: key, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` },
      });
      expect(result.code).toBe(0);
      expect(seenAuth).toBe(`Bearer ${key}`);
      expect(result.stdout).toContain('Revenue grew; toys led.');
      expect(result.stdout).toContain('(fake-llm-1)');
      expect(result.stdout + result.stderr).not.toContain(key);
    } finally {
      server.close();
    }
  });

  it('--continuous runs the job again on a file that lands while it watches, and stops on Ctrl-C', async () => {
    const controller = new AbortController();
    let stdout = '';
    const streamDir = join(env.DBX_TS_LOCAL_DIR, 'volumes', 'sales_lakehouse', 'landing', 'raw', 'sales_stream');
    const done = main(['node', 'dbx-ts', 'run', 'unified-workflow', '--continuous', '--no-show-results'], {
      cwd: project,
      env: { ...process.env, CI: 'true', ...env },
      stdout: { write: (s: string) => void (stdout += s), isTTY: false },
      stderr: { write: (s: string) => void (stdout += s) },
      signal: controller.signal,
    });
    const waitFor = async (test: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!test()) {
        if (Date.now() > end) throw new Error(`timed out; output so far:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await waitFor(() => stdout.includes('Watching the landing zone'), 60_000);
    const mark = stdout.length;
    await mkdir(streamDir, { recursive: true });
    const [firstBatch] = (await readdir(streamDir)).filter((f) => f.startsWith('batch-0')).sort();
    await cp(join(streamDir, firstBatch!), join(streamDir, 'batch-while-watching.parquet'));
    await waitFor(() => /bronze\.sales_stream_raw: read [1-9]\d*/.test(stdout.slice(mark)), 20_000);
    // The whole job runs again, down to the dashboard.
    await waitFor(() => /task update_dashboard: TERMINATED SUCCESS/.test(stdout.slice(mark)), 20_000);
    expect(stdout.slice(mark)).toContain('New landing file: /Volumes/sales_lakehouse/landing/raw/sales_stream/batch-while-watching.parquet');
    controller.abort();
    expect(await done).toBe(0);
    expect(stdout).toContain('Stopped watching the landing zone.');
  });
});
