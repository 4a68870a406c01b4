// Runs you can aim, through the real CLI: --only sends run-now's `only`, --params/--param send job parameters
// (and --param no longer swallows the key after it), a pipeline key starts an update with the Pipelines API's
// refresh fields; on the local target a full refresh rebuilds the named tables from their landing files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { fakeWorkspace, type FakeSetup } from '../deploy/fake.ts';
import { runCli, scratchProject, type CliResult, captureCli } from '../build/helpers.ts';
import { land, READINGS, readingsProject } from './readings.ts';

const VARS = {
  BUNDLE_VAR_warehouse_id: 'wh-1234',
  BUNDLE_VAR_keyvault_resource_id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/sales-kv',
  BUNDLE_VAR_keyvault_dns_name: 'https://sales-kv.vault.azure.net/',
};

describe('on a workspace target', () => {
  let repo: string;
  let setup: FakeSetup;

  async function cli(args: string[]): Promise<CliResult> {
    return captureCli(args, { cwd: repo, env: { ...setup.env, ...VARS, HOME: '/nonexistent', CI: '1' } });
  }
  const bodies = (path: RegExp) => setup.ws.requests.filter((r) => r.method === 'POST' && path.test(r.path)).map((r) => r.body as Record<string, unknown>);

  beforeEach(async () => {
    repo = await scratchProject();
    setup = await fakeWorkspace();
    const deployed = await cli(['deploy', '-t', 'dev', '--auto-approve']);
    expect(deployed.code, deployed.stderr).toBe(0);
    setup.ws.clearRequests();
  });
  afterEach(async () => {
    await setup.ws.close();
  });

  it('run --only sends the tasks as run-now `only`; --params and a repeatable --param send job parameters', async () => {
    const only = await cli(['run', 'unified-workflow', '-t', 'dev', '--only', 'task_ingest_batch_data,gpt_summary', '--no-wait']);
    expect(only.code, only.stderr).toBe(EXIT.ok);
    // --param takes one value: the job key after it is the job key, not a second parameter.
    const params = await cli(['run', '--param', 'catalog=other', 'unified-workflow', '-t', 'dev', '--no-wait']);
    expect(params.code, params.stderr).toBe(EXIT.ok);
    const spelled = await cli(['run', 'unified-workflow', '-t', 'dev', '--params', 'catalog=third', '--no-wait']);
    expect(spelled.code, spelled.stderr).toBe(EXIT.ok);
    // The run-now `only` modifiers (+key: with its upstream tasks, key+: with its downstream ones) go as written.
    const modifiers = await cli(['run', 'unified-workflow', '-t', 'dev', '--only', '+gpt_summary', '--only', 'task_ingest_batch_data+', '--no-wait']);
    expect(modifiers.code, modifiers.stderr).toBe(EXIT.ok);
    const runNows = bodies(/\/jobs\/run-now$/);
    expect(runNows.map((b) => b['only'])).toEqual([['task_ingest_batch_data', 'gpt_summary'], undefined, undefined, ['+gpt_summary', 'task_ingest_batch_data+']]);
    expect(runNows.map((b) => b['job_parameters'])).toEqual([undefined, { catalog: 'other' }, { catalog: 'third' }, undefined]);

    const unknown = await cli(['run', 'unified-workflow', '-t', 'dev', '--only', 'nope']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('--only nope: job "unified-workflow" has no such task');
    const twice = await cli(['run', 'unified-workflow', '-t', 'dev', '--params', 'catalog=a', '--param', 'catalog=b']);
    expect(twice.code).toBe(EXIT.usage);
    expect(twice.stderr).toContain('--param catalog is given twice');
  });

  it('a pipeline key starts an update with the refresh fields the Pipelines API expects, and watches it', async () => {
    const refresh = await cli(['run', 'pl_streaming_data_to_silver', '-t', 'dev', '--refresh', 'silver.sales_stream']);
    expect(refresh.code, refresh.stderr).toBe(EXIT.ok);
    expect(refresh.stdout).toMatch(/Started an update of pl_streaming_data_to_silver on target dev: refresh of silver\.sales_stream\n {2}http:\/\/127\.0\.0\.1:\d+\/#joblist\/pipelines\/[0-9a-f-]+\/updates\/[0-9a-f-]+/);
    expect(refresh.stdout).toMatch(/task pl_streaming_data_to_silver: TERMINATED COMPLETED/);
    for (const args of [['--full-refresh', 'bronze.sales_stream_raw,silver.sales_stream'], ['--full-refresh-all'], ['--validate-only'], ['--refresh-all']]) {
      const result = await cli(['run', 'pl_streaming_data_to_silver', '-t', 'dev', ...args]);
      expect(result.code, result.stderr).toBe(EXIT.ok);
    }
    expect(bodies(/\/pipelines\/[^/]+\/updates$/)).toEqual([
      { refresh_selection: ['silver.sales_stream'] },
      { full_refresh_selection: ['bronze.sales_stream_raw', 'silver.sales_stream'] },
      { full_refresh: true },
      { validate_only: true },
      {},
    ]);

    const both = await cli(['run', 'pl_streaming_data_to_silver', '-t', 'dev', '--refresh', 'silver.sales_stream', '--full-refresh-all']);
    expect(both.code).toBe(EXIT.usage);
    expect(both.stderr).toContain('pipeline run arguments are mutually exclusive (got --refresh, --full-refresh-all)');
    const notATable = await cli(['run', 'pl_streaming_data_to_silver', '-t', 'dev', '--refresh', 'gold.nope']);
    expect(notATable.code).toBe(EXIT.usage);
    expect(notATable.stderr).toContain('Pipeline "pl_streaming_data_to_silver" has no table "gold.nope"');
    const jobFlag = await cli(['run', 'unified-workflow', '-t', 'dev', '--full-refresh-all']);
    expect(jobFlag.code).toBe(EXIT.usage);
    expect(jobFlag.stderr).toContain('--full-refresh-all is for pipelines; "unified-workflow" is a job.');
    expect(bodies(/\/pipelines\/[^/]+\/updates$/)).toHaveLength(5);
  });
});

describe('on the local target', () => {
  it('updates a pipeline alone; --refresh updates the named tables, --full-refresh rebuilds them from their landing files', async () => {
    const { dir, env, landing } = await readingsProject();
    const cli = (...args: string[]) => runCli(args, { cwd: dir, env });
    const count = async (table: string) => (await cli('query', `SELECT count(*) AS n FROM readings_dev.${table}`, '-o', 'csv')).stdout.split('\r\n')[1];
    await land(landing, 'part-1.json', READINGS);

    const first = await cli('run', 'readings_pipeline');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/task readings_pipeline: TERMINATED COMPLETED/);
    expect(await count('bronze.readings_raw')).toBe('4');

    // A row that no landing file holds: a plain update keeps it (each file is taken once) ...
    expect((await cli('query', "INSERT INTO readings_dev.bronze.readings_raw (sensor_id) VALUES ('stray')")).code).toBe(0);
    const refresh = await cli('run', 'readings_pipeline', '--refresh', 'silver.readings');
    expect(refresh.code, refresh.stderr).toBe(0);
    // The named table only; nothing new reached it (the stray row has no commit version), so it is skipped.
    expect(refresh.stdout).toMatch(/readings_dev\.silver\.readings: skipped: inputs unchanged/);
    expect(refresh.stdout).not.toMatch(/readings_dev\.bronze\.readings_raw: read/);
    expect(await count('bronze.readings_raw')).toBe('5');

    // ... a full refresh drops the table and forgets which files Auto Loader took: it is rebuilt from the files.
    const full = await cli('run', 'readings_pipeline', '--full-refresh', 'bronze.readings_raw');
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toContain('full refresh of bronze.readings_raw: tables dropped, Auto Loader progress and stream offsets reset');
    expect(await count('bronze.readings_raw')).toBe('4');

    // --only on the local target: the named task alone, or with what it depends on (+key).
    const alone = await cli('run', 'readings-job', '--only', 'daily');
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stdout).toMatch(/task daily: TERMINATED SUCCESS/);
    expect(alone.stdout).not.toMatch(/task ingest:/);
    const withUpstream = await cli('run', 'readings-job', '--only', '+daily');
    expect(withUpstream.code, withUpstream.stderr).toBe(0);
    expect(withUpstream.stdout).toMatch(/task ingest: TERMINATED SUCCESS/);

    const validate = await cli('run', 'readings_pipeline', '--validate-only');
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('readings_pipeline: the graph is valid');
    expect(validate.stdout).toContain('No data was touched.');
  });
});
