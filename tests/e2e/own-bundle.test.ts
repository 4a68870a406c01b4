// A bundle of one's own (tests/fixtures/readings, not the demo) through the generic commands on the local target:
// before the first run, with data, with job parameters; show <table>, show quality, query, runs and simulate answer
// for it and never mention the sales demo.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../build/helpers.ts';
import { land, READINGS, readingsProject } from './readings.ts';

function neverSales(...results: CliResult[]): void {
  for (const r of results) expect(`${r.stdout}${r.stderr}`.toLowerCase()).not.toContain('sales');
}

describe('a bundle of one\'s own on the local target', () => {
  let dir: string;
  let env: Record<string, string>;
  let landing: string;
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env });

  beforeAll(async () => {
    ({ dir, env, landing } = await readingsProject());
  });

  it('before the first run: show, quality, runs and simulate answer clearly, never with exit 70', async () => {
    const table = await cli('show', 'silver.readings');
    expect(table.code).toBe(2);
    expect(table.stderr).toContain('Table readings_dev.silver.readings does not exist yet on target local');
    const quality = await cli('show', 'quality');
    expect(quality.code).toBe(0);
    expect(quality.stdout).toContain('readings_pipeline: no updates on target local yet');
    const runs = await cli('runs', 'list', 'readings-job');
    expect(runs.code).toBe(0);
    const view = await cli('show', 'gold');
    expect(view.code).toBe(2);
    expect(view.stderr).toContain('dbx-ts show gold: not a result view or a table of bundle "readings"');
    expect(view.stderr).toContain('tables: bronze.readings_raw, silver.readings, silver.readings_quarantine, gold.sensor_daily');
    const summary = await cli('show', 'summary');
    expect(summary.code).toBe(2);
    const simulate = await cli('simulate');
    expect(simulate.code).toBe(2);
    expect(simulate.stderr).toContain('Bundle "readings" has no simulator, so there is nothing to simulate.');
    neverSales(table, quality, runs, view, summary, simulate);
  });

  it('runs with an empty landing zone: empty streaming tables that the gold notebook reads, and says where files go', async () => {
    const run = await cli('run', 'readings-job');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`No files yet for readings_dev.bronze.readings_raw: put json files in ${landing} (the local folder of /Volumes/readings_dev/landing/files/readings)`);
    expect(run.stdout).toMatch(/readings_dev\.silver\.readings: read 0, inserted 0/);
    expect(run.stdout).toMatch(/readings_dev\.gold\.sensor_daily: read 0, inserted 0/);
    const silver = await cli('show', 'silver.readings');
    expect(silver.code).toBe(0);
    expect(silver.stdout).toMatch(/^sensor_id\s+reading\s+read_at\s*$/m);
    const gold = await cli('query', 'SELECT count(*) AS n FROM readings_dev.gold.sensor_daily', '-o', 'csv');
    expect(gold.stdout.replaceAll('\r\n', '\n')).toBe('n\n0\n');
    const quality = await cli('show', 'quality');
    expect(quality.code).toBe(0);
    neverSales(run, silver, gold, quality);
  });

  it('runs the two tasks on landed JSON; show <table>, show quality, query and runs read the results', async () => {
    await land(landing, 'part-1.json', READINGS);
    const run = await cli('run', 'readings-job');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/readings_dev\.silver\.readings: read 4, inserted 3, quarantined 1/);
    expect(run.stdout).toMatch(/task daily: TERMINATED SUCCESS/);

    const silver = await cli('show', 'silver.readings', '--limit', '2');
    expect(silver.code).toBe(0);
    expect(silver.stdout).toContain('First rows of readings_dev.silver.readings:');
    expect(silver.stdout).toMatch(/^sensor_id\s+reading\s+read_at\s*$/m);
    expect(silver.stdout.trim().split('\n')).toHaveLength(2 + 2 + 1);
    expect(silver.stdout).not.toContain('_commit_version');
    const qualified = await cli('show', 'readings_dev.gold.sensor_daily');
    expect(qualified.code).toBe(0);
    expect(qualified.stdout).toMatch(/^S1\s+2024-05-02\s+1\s+400\s*$/m);

    const quality = await cli('show', 'quality');
    expect(quality.code).toBe(0);
    expect(quality.stdout).toMatch(/silver\.readings\s+has_sensor\s+drop\s+3\s+1\s+1/);
    expect(quality.stdout).toMatch(/silver\.readings\s+plausible_reading\s+warn\s+3\s+1\s+0/);

    const query = await cli('query', 'SELECT count(*) AS n FROM readings_dev.silver.readings_quarantine', '-o', 'csv');
    expect(query.stdout.replaceAll('\r\n', '\n')).toBe('n\n1\n');
    const runs = await cli('runs', 'list', 'readings-job');
    expect(runs.stdout).toMatch(/^\d+\s+SUCCESS/m);
    neverSales(run, silver, qualified, quality, query, runs);
  });

  it('job parameters reach the notebook task and its table query (--param), and an undeclared one is refused', async () => {
    const run = await cli('run', 'readings-job', '--param', 'min_reading=50');
    expect(run.code).toBe(0);
    const gold = await cli('query', 'SELECT sensor_id, readings FROM readings_dev.gold.sensor_daily ORDER BY 1, 2', '-o', 'csv');
    expect(gold.stdout.replaceAll('\r\n', '\n')).toBe('sensor_id,readings\nS1,1\nS2,1\n');
    const history = await cli('runs', 'list', 'readings-job', '--json');
    expect(history.code).toBe(0);
    const unknown = await cli('run', 'readings-job', '--param', 'nope=1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--param nope: job "readings-job" has no such parameter.');
    expect(unknown.stderr).toContain('Its parameters: min_reading.');
  });
});

describe('a files source without a declared schema and without files', () => {
  it('fails the pipeline task as Auto Loader does, naming the landing folder, and the notebook task is skipped', async () => {
    const { dir, env, landing } = await readingsProject((b) => b.replace("options: { schema: 'sensor_id STRING, reading DOUBLE, read_at STRING' },", ''));
    const run = await runCli(['run', 'readings-job'], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`task ingest: TERMINATED FAILED`);
    expect(run.stdout).toContain(`readings_dev.bronze.readings_raw cannot be created: no file has arrived in /Volumes/readings_dev/landing/files/readings (locally ${landing})`);
    expect(run.stderr).toContain('skipped because of it: daily');
    await land(landing, 'part-1.json', READINGS);
    const again = await runCli(['run', 'readings-job'], { cwd: dir, env });
    expect(again.code).toBe(0);
  });
});
