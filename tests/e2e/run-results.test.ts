// The real CLI reading results: `show gold|summary|quality` and `query` on the local target after a local run
// (real DuckDB), and `runs list|get` and `show quality` on a workspace target after a run on the fake workspace.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { fakeWorkspace, type FakeSetup } from '../deploy/fake.ts';
import { scratchProject, type CliResult, captureCli } from '../build/helpers.ts';

// A project folder of its own, so tests never touch a developer's .dbx-ts/ state in the checkout.
const REPO = await scratchProject();
const CACHE = join(REPO, '.dbx-ts', 'state', 'dev.json');
const VARS = {
  BUNDLE_VAR_warehouse_id: 'wh-1234',
  BUNDLE_VAR_keyvault_resource_id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/sales-kv',
  BUNDLE_VAR_keyvault_dns_name: 'https://sales-kv.vault.azure.net/',
};

async function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return captureCli(args, { cwd: REPO, env: { HOME: '/nonexistent', CI: '1', ...env } });
}

describe('on the local target', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = { DBX_TS_LOCAL_DIR: await mkdtemp(join(tmpdir(), 'dbx-ts-run-results-')) };
    const run = await cli(['run', 'unified-workflow', '-t', 'local', '--no-show-results'], env);
    expect(run.code, run.stderr).toBe(EXIT.ok);
  }, 120_000);
  afterAll(async () => {
    await rm(env['DBX_TS_LOCAL_DIR']!, { recursive: true, force: true });
  });

  it('show gold prints the newest rows of gold', async () => {
    const { code, stdout } = await cli(['show', 'gold', '-t', 'local', '--limit', '3'], env);
    expect(code).toBe(EXIT.ok);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('First rows of sales_lakehouse.gold.sales_enriched:');
    expect(lines[1]).toMatch(/^transaction_id\s+transaction_ts\s+product_name\s+category\s+store_name\s+quantity\s+total_revenue\s+source$/);
    expect(lines.slice(3)).toHaveLength(3);
    const times = lines.slice(3).map((l) => /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.exec(l)![0]);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('show summary prints the newest summary', async () => {
    const { code, stdout } = await cli(['show', 'summary', '-t', 'local'], env);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(/^Latest summary \(.+\): \(offline-template\)\nSales from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d totalled \$[\d,.]+ across [\d,]+ transactions/);
  });

  it('show quality prints each expectation\'s passed, failed and dropped records', async () => {
    const { code, stdout } = await cli(['show', 'quality', '-t', 'local', '--json'], env);
    expect(code).toBe(EXIT.ok);
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { code: string; data: { pipeline: string; metrics: { expectation: string; action: string; failed_records: number; dropped_records: number }[] } });
    const quality = events.filter((e) => e.code === 'quality.metrics');
    expect(quality.map((e) => e.data.pipeline)).toContain('pl_streaming_data_to_silver');
    const stream = quality.find((e) => e.data.pipeline === 'pl_streaming_data_to_silver')!.data.metrics;
    expect(stream.map((m) => m.expectation)).toContain('valid_product_id');
    for (const m of stream) expect(m.dropped_records).toBe(m.action === 'drop' ? m.failed_records : 0);
  });

  it('query streams rows in each format, with named parameters', async () => {
    const sql = 'SELECT category, count(*) AS n FROM sales_lakehouse.gold.sales_enriched WHERE quantity > :q GROUP BY category ORDER BY category';
    const csv = await cli(['query', sql, '-t', 'local', '--param', 'q=5', '-o', 'csv'], env);
    const json = await cli(['query', sql, '-t', 'local', '--param', 'q=5', '-o', 'json'], env);
    const all = await cli(['query', sql, '-t', 'local', '--param', 'q=0', '-o', 'ndjson'], env);
    expect([csv.code, json.code, all.code]).toEqual([0, 0, 0]);
    const rows = JSON.parse(json.stdout) as { category: string; n: number }[];
    expect(csv.stdout.split('\r\n').filter(Boolean)).toEqual(['category,n', ...rows.map((r) => `${r.category},${r.n}`)]);
    const total = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as { n: number }).reduce((sum, r) => sum + r.n, 0);
    expect(rows.reduce((sum, r) => sum + r.n, 0)).toBeLessThan(total);
  });

  it('query reports a SQL error as a failure, not a crash', async () => {
    const { code, stderr } = await cli(['query', 'SELECT * FROM no_such_table', '-t', 'local'], env);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/^error: The query failed: .*no_such_table/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('on a workspace target', () => {
  let setup: FakeSetup;
  let env: Record<string, string>;
  let runId: string;

  /** Removes the local state cache if this test's fake workspace wrote it (other test files deploy too). */
  async function dropLocalCache(host: string): Promise<void> {
    try {
      const cache = JSON.parse(await readFile(CACHE, 'utf8')) as { host?: string };
      if (cache.host === host) await rm(CACHE, { force: true });
    } catch {
      // no cache
    }
  }

  beforeAll(async () => {
    setup = await fakeWorkspace();
    env = { ...setup.env, ...VARS };
    expect((await cli(['deploy', '-t', 'dev', '--auto-approve'], env)).code).toBe(0);
    setup.ws.scenario.pipeline('[dev emulator_user] pl_streaming_data_to_silver', {
      flows: [{ name: 'sales_stream', expectations: [{ name: 'positive_quantity', passed_records: 90, failed_records: 10 }] }],
    });
    // What the generated ingest notebook's table runtime exits with (report_quality()).
    const metric = { dataset: 'silver.sales_batch', expectation: 'positive_quantity', action: 'drop', passed_records: 95, failed_records: 5, dropped_records: 5 };
    setup.ws.scenario.taskOutcome('task_ingest_batch_data', { result: 'SUCCESS', notebook_output: JSON.stringify({ dbx_ts: { quality_metrics: [metric] } }) });
    const run = await cli(['run', 'unified-workflow', '-t', 'dev', '--no-show-results', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const quality = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { code: string; data: { pipeline?: string; metrics?: unknown[] } });
    expect(quality.find((e) => e.code === 'quality.metrics' && e.data.pipeline === 'task_ingest_batch_data')?.data.metrics).toEqual([metric]);
    const started = run.stdout.split('\n').map((l) => (l ? (JSON.parse(l) as { code: string; data: { run_id: string } }) : undefined)).find((e) => e?.code === 'run.started');
    runId = started!.data.run_id;
  }, 120_000);
  afterAll(async () => {
    await dropLocalCache(setup.ws.url);
    await setup.ws.close();
  });

  it('runs list and runs get show the run that just finished', async () => {
    const list = await cli(['runs', 'list', 'unified-workflow', '-t', 'dev'], env);
    expect(list.code, list.stderr).toBe(EXIT.ok);
    expect(list.stdout).toMatch(new RegExp(`^${runId}\\s+TERMINATED\\s+SUCCESS`, 'm'));
    const get = await cli(['runs', 'get', runId, '-t', 'dev'], env);
    expect(get.code).toBe(EXIT.ok);
    expect(get.stdout).toContain(`Run ${runId} of job`);
    expect(get.stdout).toMatch(/^update_dashboard\s+TERMINATED\s+SUCCESS/m);
  });

  it("show quality reads the pipeline's latest update from its event log, and notebook tables from the latest run's notebook output", async () => {
    const { code, stdout } = await cli(['show', 'quality', '-t', 'dev'], env);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toMatch(/pl_streaming_data_to_silver: 1 expectations, 10 failed records \(update [0-9a-f-]+\)/);
    expect(stdout).toMatch(/sales_stream\s+positive_quantity\s+drop\s+90\s+10\s+10/);
    expect(stdout).toMatch(/task_ingest_batch_data: 1 expectations, 5 failed records \(task run \d+\)/);
    expect(stdout).toMatch(/silver\.sales_batch\s+positive_quantity\s+drop\s+95\s+5\s+5/);
    // The other notebook tasks that build tables reported nothing in this emulated run: said, not guessed.
    expect(stdout).toContain('batch_and_stream_processing: no quality reported in job run');
  });

  it('query on a workspace target without https says so, and never prints the token', async () => {
    // Plain http is refused for any workspace but a loopback one (local serve speaks TLS to the driver itself).
    const { code, stderr, stdout } = await cli(['query', 'SELECT 1', '-t', 'dev'], { ...env, DATABRICKS_HOST: 'http://dbc-1234.cloud.databricks.com' });
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/Refusing to talk to http:\/\/dbc-1234\.cloud\.databricks\.com: only https is allowed for a workspace/);
    expect(stderr + stdout).not.toContain(setup.env['DATABRICKS_TOKEN']);
  });
});
