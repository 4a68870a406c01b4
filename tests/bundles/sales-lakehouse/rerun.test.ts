// A rerun of the reference job with no new data: every table is skipped (inputs unchanged), and the summary and
// dashboard are not refreshed because gold did not change; new data or --full-refresh-all refreshes them.
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, scratchProject } from '../../build/helpers.ts';

interface Event {
  code: string;
  message: string;
  data: Record<string, unknown>;
}

const events = (stdout: string): Event[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
/** What each task said when it ended. */
const taskMessages = (stdout: string) =>
  Object.fromEntries(events(stdout).filter((e) => e.code === 'task.state' && e.data.state === 'TERMINATED').map((e) => [e.data.task_key, String(e.data.message ?? '')]));

describe('the reference job, run again', () => {
  it('skips what did not change, down to the summary and the dashboard', async () => {
    const project = await scratchProject();
    const env = { OPENAI_API_KEY: '', DBX_TS_LOCAL_DIR: join(project, '.dbx-ts', 'local') };
    expect((await runCli(['simulate', '--rows', '1000'], { cwd: project, env })).code).toBe(0);
    const first = await runCli(['run', 'unified-workflow', '--json', '--no-show-results'], { cwd: project, env });
    expect(first.code).toBe(0);
    expect(taskMessages(first.stdout)['gpt_summary']).toMatch(/^summary by /);
    const dashboard = join(env.DBX_TS_LOCAL_DIR, 'dashboards', 'sales_dashboard.html');
    const written = statSync(dashboard).mtimeMs;

    const second = await runCli(['run', 'unified-workflow', '--json', '--no-show-results'], { cwd: project, env });
    expect(second.code).toBe(0);
    const messages = taskMessages(second.stdout);
    expect(messages['DLT_streaming_data']).toMatch(/^skipped: inputs unchanged/);
    expect(messages['batch_and_stream_processing']).toMatch(/^skipped: inputs unchanged/);
    expect(messages['gpt_summary']).toBe('skipped: gold unchanged');
    expect(messages['update_dashboard']).toBe('skipped: gold unchanged');
    expect(statSync(dashboard).mtimeMs).toBe(written);
    const skipped = events(second.stdout).filter((e) => e.code === 'table.refresh');
    expect(skipped.length).toBeGreaterThan(10);
    expect(skipped.every((e) => e.data.skipped === true)).toBe(true);

    // New sales arrive by the stream (a batch file re-delivered): gold changes, so the summary and dashboard refresh.
    const raw = join(env.DBX_TS_LOCAL_DIR, 'volumes', 'sales_lakehouse', 'landing', 'raw');
    const batchFile = readdirSync(join(raw, 'sales_batch')).find((f) => f.endsWith('.parquet'))!;
    mkdirSync(join(raw, 'sales_stream'), { recursive: true });
    copyFileSync(join(raw, 'sales_batch', batchFile), join(raw, 'sales_stream', 'redelivered.parquet'));
    const third = await runCli(['run', 'unified-workflow', '--json', '--no-show-results'], { cwd: project, env });
    expect(third.code).toBe(0);
    const after = taskMessages(third.stdout);
    expect(after['task_ingest_batch_data']).toMatch(/^skipped: inputs unchanged/);
    expect(after['batch_and_stream_processing']).not.toMatch(/skipped/);
    expect(after['gpt_summary']).toMatch(/^summary by /);
    expect(after['update_dashboard']).toBe(dashboard);

    const forced = await runCli(['run', 'unified-workflow', '--json', '--no-show-results', '--full-refresh-all'], { cwd: project, env });
    expect(forced.code).toBe(0);
    const again = taskMessages(forced.stdout);
    expect(again['gpt_summary']).toMatch(/^summary by /);
    expect(again['update_dashboard']).toBe(dashboard);
    expect(again['batch_and_stream_processing']).not.toMatch(/skipped/);
  });
});
