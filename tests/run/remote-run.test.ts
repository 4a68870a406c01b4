// Run lifecycles against the fake workspace on a virtual clock, through runRemoteJob as the CLI calls it:
// success, a failing task with its output and the tasks it skipped, a run cancelled by someone else, timeout,
// 429 and 503 while polling, more than 100 tasks, ids above 2^53, Ctrl-C, --restart and --no-wait.
import { afterEach, describe, expect, it } from 'vitest';
import { RunFailedError } from '../../src/errors/index.ts';
import { faults, FIRST_UNSAFE_ID } from '../../src/emulator/index.ts';
import { recordingSink, type DbxEvent, type TaskStateData } from '../../src/events/types.ts';
import { runRemoteJob, type RemoteRunOptions } from '../../src/run/remote-run.ts';
import app from '../../bundles/sales-lakehouse/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { DuckDbSql } from '../../src/sql/duckdb.ts';
import { createWorkspaceClient } from '../../src/workspace/index.ts';
import { createNotebookJob, fixedIds, sampleModel, virtualWorkspace, WORKFLOW, type VirtualSetup } from './helpers.ts';

let setup: VirtualSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

async function start(options: Parameters<typeof virtualWorkspace>[0] = {}) {
  setup = await virtualWorkspace(options);
  setup.ws.scenario.defaults({ queuedMs: 0, pendingMs: 2_000, runningMs: 20_000 });
  const jobId = await createNotebookJob(setup.client, WORKFLOW);
  return { ...setup, jobId };
}

function options(s: VirtualSetup, jobId: string, sink: ReturnType<typeof recordingSink>, extra: Partial<RemoteRunOptions> = {}): RemoteRunOptions {
  return {
    model: sampleModel(),
    projectRoot: '/nonexistent',
    jobKey: 'unified-workflow',
    env: {},
    sink,
    client: s.client,
    deployed: fixedIds({ 'jobs.unified-workflow': jobId }),
    clock: s.watchClock,
    showResults: false,
    ...extra,
  };
}

const taskEvents = (events: DbxEvent[]) => events.filter((e): e is Extract<DbxEvent, { code: 'task.state' }> => e.code === 'task.state').map((e) => e.data);
const statesOf = (events: DbxEvent[], key: string) => taskEvents(events).filter((d) => d.task_key === key).map((d) => (d.result ? `${d.state} ${d.result}` : d.state));
const paths = (s: VirtualSetup, path: string) => s.ws.requests.filter((r) => r.path === path);

async function expectRunFailure(promise: Promise<unknown>): Promise<RunFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunFailedError);
  return error as RunFailedError;
}

describe('a successful run', () => {
  it("starts one run, reports every task from start to finish, and shows the bundle's result views (the reference bundle's gold and summary)", async () => {
    const s = await start();
    const sink = recordingSink();
    const gold = await DuckDbSql.open(':memory:');
    await drain(gold.query(`ATTACH ':memory:' AS sales_lakehouse; CREATE SCHEMA sales_lakehouse.gold;
      CREATE TABLE sales_lakehouse.gold.sales_enriched AS SELECT 'T1' AS transaction_id, TIMESTAMP '2024-12-31 10:00:00' AS transaction_ts, 'Widget' AS product_name,
        'TOYS' AS category, 'Store 1' AS store_name, 2 AS quantity, 19.98 AS total_revenue, 'batch' AS source;
      CREATE TABLE sales_lakehouse.gold.sales_summary AS SELECT 'Sales were fine.' AS summary_text, 'gpt-4o-mini' AS model, TIMESTAMP '2025-01-01 00:00:00' AS generated_at`));

    const { resultViews } = resolve(app, 'dev').extensions;
    const result = await runRemoteJob(options(s, s.jobId, sink, { showResults: true, resultViews, openSql: async () => gold, params: {} }));

    expect(result.outcome).toBe('success');
    expect(paths(s, '/api/2.2/jobs/run-now')).toHaveLength(1);
    const started = sink.events.find((e) => e.code === 'run.started');
    expect(started?.data).toMatchObject({ run_id: result.run_id, job_key: 'unified-workflow' });
    expect((started?.data as { url: string }).url).toMatch(new RegExp(`#job/${s.jobId}/run/${result.run_id}$`));
    for (const t of WORKFLOW) {
      const states = statesOf(sink.events, t.key);
      expect(states, t.key).toContain('RUNNING');
      expect(states.at(-1), t.key).toBe('TERMINATED SUCCESS');
    }
    // A task's start and end come from the workspace, and its duration is the planned 22 s.
    const last = taskEvents(sink.events).filter((d) => d.task_key === 'update_dashboard').at(-1)!;
    expect(last.end_time! - last.start_time!).toBe(22_000);
    const finished = sink.events.find((e) => e.code === 'run.finished');
    expect(finished?.data).toMatchObject({ run_id: result.run_id, result: 'SUCCESS', duration_ms: 5 * 22_000 });
    const preview = sink.events.find((e) => e.code === 'table.preview');
    expect(preview?.data).toMatchObject({ table: 'sales_lakehouse.gold.sales_enriched', rows: [['T1', '2024-12-31 10:00:00', 'Widget', 'TOYS', 'Store 1', 2, 19.98, 'batch']] });
    expect(sink.events.find((e) => e.code === 'summary.text')?.data).toEqual({ model: 'gpt-4o-mini', text: 'Sales were fine.' });
  });

  it('shows nothing after the run, and warns of nothing, for a bundle without result views', async () => {
    const s = await start();
    const sink = recordingSink();
    let opened = false;
    const openSql = async () => {
      opened = true;
      throw new Error('no SQL needed');
    };
    const result = await runRemoteJob(options(s, s.jobId, sink, { showResults: true, resultViews: [], openSql }));
    expect(result.outcome).toBe('success');
    expect(opened).toBe(false);
    expect(sink.events.filter((e) => e.level === 'warn' || e.code === 'table.preview' || e.code === 'summary.text')).toEqual([]);
  });

  it('passes job parameters and a fresh idempotency token to run-now', async () => {
    const s = await start();
    await s.client.jobs.reset({ job_id: BigInt(s.jobId), new_settings: { name: 'J', tasks: [{ task_key: 'a', notebook_task: { notebook_path: '/Shared/nb/DLT_streaming_data' } }], parameters: [{ name: 'catalog', default: 'main' }] } });
    await runRemoteJob(options(s, s.jobId, recordingSink(), { params: { catalog: 'sales_dev' } }));
    await runRemoteJob(options(s, s.jobId, recordingSink()));
    const bodies = paths(s, '/api/2.2/jobs/run-now').map((r) => r.body as { job_parameters?: unknown; idempotency_token: string });
    expect(bodies[0]!.job_parameters).toEqual({ catalog: 'sales_dev' });
    expect(bodies[1]!.job_parameters).toBeUndefined();
    expect(bodies[0]!.idempotency_token).not.toBe(bodies[1]!.idempotency_token);
    const run = Object.values(s.ws.state.runs)[0]!;
    expect(run.job_parameters).toEqual([{ name: 'catalog', default: 'main', value: 'sales_dev' }]);
  });

  it('returns at once with --no-wait, after printing the run id and URL', async () => {
    const s = await start();
    const sink = recordingSink();
    const result = await runRemoteJob(options(s, s.jobId, sink, { wait: false }));
    expect(result.outcome).toBeUndefined();
    expect(result.url).toContain(`/run/${result.run_id}`);
    expect(sink.events.map((e) => e.code)).toEqual(['run.started']);
    expect(sink.events[0]!.message).toContain(result.url);
    expect(s.watchClock.sleeps).toEqual([]);
  });
});

describe('a failing task', () => {
  it('is named with its error and the end of its trace, and the tasks it skipped are listed', async () => {
    const s = await start();
    const frames = Array.from({ length: 60 }, (_, i) => `  File "/databricks/python/lib/frame${i}.py", line ${i}, in f${i}`);
    s.ws.scenario.taskOutcome('optimize_gold_and_create_view', {
      result: 'FAILED',
      error: 'AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] gold.sales_enriched',
      error_trace: ['\x1b[0;31m---------------------------------------------------------------------------\x1b[0m', ...frames, '\x1b[0;31mAnalysisException\x1b[0m: [TABLE_OR_VIEW_NOT_FOUND] gold.sales_enriched'].join('\n'),
    });
    const sink = recordingSink();
    const error = await expectRunFailure(runRemoteJob(options(s, s.jobId, sink)));
    expect(error.outcome).toBe('failed');
    expect(error.task).toBe('optimize_gold_and_create_view');
    expect(error.message).toMatch(/failed: task optimize_gold_and_create_view failed/);

    expect(statesOf(sink.events, 'optimize_gold_and_create_view').at(-1)).toBe('TERMINATED FAILED');
    expect(statesOf(sink.events, 'gpt_summary').at(-1)).toBe('SKIPPED UPSTREAM_FAILED');
    expect(statesOf(sink.events, 'update_dashboard').at(-1)).toBe('SKIPPED UPSTREAM_FAILED');

    const explained = sink.events.find((e) => e.code === 'task.failure' && e.message.startsWith('Task optimize_gold_and_create_view failed'))!;
    expect(explained.level).toBe('error');
    expect(explained.message).toContain('AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] gold.sales_enriched');
    expect(explained.message).toContain('skipped because of it: gpt_summary, update_dashboard');
    // The useful end of the trace, without colour codes: the exception line and the last frames, not the first.
    expect(explained.message).toContain('AnalysisException: [TABLE_OR_VIEW_NOT_FOUND]');
    expect(explained.message).toContain('frame59.py');
    expect(explained.message).not.toContain('frame5.py');
    expect(explained.message).not.toContain('\x1b[');

    // runs/get-output was asked for the failed task's own run, not the job run.
    const failedTask = Object.values(s.ws.state.runs)[0]!.attempts.find((a) => a.task_key === 'optimize_gold_and_create_view')!;
    expect(paths(s, '/api/2.2/jobs/runs/get-output').map((r) => r.query?.['run_id'])).toEqual([failedTask.run_id.toString()]);
  });

  it('shows a success with failures as a success, with the allowed failure as a warning', async () => {
    const s = await start();
    await s.client.jobs.reset({
      job_id: BigInt(s.jobId),
      new_settings: {
        name: 'J',
        tasks: [
          { task_key: 'DLT_streaming_data', notebook_task: { notebook_path: '/Shared/nb/DLT_streaming_data' } },
          { task_key: 'gpt_summary', run_if: 'ALL_DONE', depends_on: [{ task_key: 'DLT_streaming_data' }], notebook_task: { notebook_path: '/Shared/nb/gpt_summary' } },
        ],
      },
    });
    s.ws.scenario.taskOutcome('DLT_streaming_data', { result: 'FAILED', error: 'boom' });
    const sink = recordingSink();
    const result = await runRemoteJob(options(s, s.jobId, sink));
    expect(result.outcome).toBe('success');
    expect(sink.events.find((e) => e.code === 'run.finished')?.data).toMatchObject({ result: 'SUCCESS_WITH_FAILURES' });
    expect(sink.events.find((e) => e.code === 'task.failure' && e.message.startsWith('Task DLT_streaming_data failed: boom'))?.level).toBe('warn');
  });
});

describe('stopping a run', () => {
  it('reports a run cancelled by someone else as cancelled', async () => {
    const s = await start();
    const sink = recordingSink();
    let cancelled = false;
    const cancelOnFirstRunning = (e: DbxEvent) => {
      sink(e);
      if (!cancelled && e.code === 'task.state' && e.data.state === 'RUNNING') {
        cancelled = true;
        void s.client.jobs.cancelRun({ run_id: BigInt(e.data.run_id) });
      }
    };
    const error = await expectRunFailure(runRemoteJob({ ...options(s, s.jobId, sink), sink: cancelOnFirstRunning }));
    expect(error.outcome).toBe('cancelled');
    expect(sink.events.find((e) => e.code === 'run.finished')?.data).toMatchObject({ result: 'CANCELED' });
    expect(paths(s, '/api/2.2/jobs/runs/cancel')).toHaveLength(1);
  });

  it('cancels the run on Ctrl-C, waits for it to stop, and ends cancelled', async () => {
    const s = await start();
    const sink = recordingSink();
    const controller = new AbortController();
    const abortOnRunning = (e: DbxEvent) => {
      sink(e);
      if (e.code === 'task.state' && e.data.state === 'RUNNING') controller.abort(new Error('interrupted'));
    };
    const error = await expectRunFailure(runRemoteJob({ ...options(s, s.jobId, sink), sink: abortOnRunning, signal: controller.signal }));
    expect(error.outcome).toBe('cancelled');
    const cancels = paths(s, '/api/2.2/jobs/runs/cancel');
    expect(cancels).toHaveLength(1);
    const run = Object.values(s.ws.state.runs)[0]!;
    expect((cancels[0]!.body as { run_id: unknown }).run_id).toBe(Number(run.run_id));
    // It kept polling after the cancel until the run was over.
    const cancelIndex = s.ws.requests.indexOf(cancels[0]!);
    expect(s.ws.requests.slice(cancelIndex + 1).some((r) => r.path === '/api/2.2/jobs/runs/get')).toBe(true);
    expect(sink.events.find((e) => e.code === 'run.finished')?.data).toMatchObject({ result: 'CANCELED' });
    expect(statesOf(sink.events, 'update_dashboard').at(-1)).toBe('SKIPPED CANCELED');
  });

  it('cancels the run when --timeout expires and ends timed out', async () => {
    const s = await start();
    s.ws.scenario.defaults({ runningMs: 10 * 60_000 });
    const sink = recordingSink();
    const error = await expectRunFailure(runRemoteJob(options(s, s.jobId, sink, { timeoutMs: 60_000 })));
    expect(error.outcome).toBe('timedout');
    const run = Object.values(s.ws.state.runs)[0]!;
    // Cancelled on time: not before the timeout, and within a second of it.
    expect(run.cancelled_at! - run.created_at).toBeGreaterThanOrEqual(60_000);
    expect(run.cancelled_at! - run.created_at).toBeLessThanOrEqual(61_000);
    expect(sink.events.some((e) => e.code === 'run.cancelling' && e.data.reason === 'timeout' && /Timed out after 60 s: cancelling run/.test(e.message))).toBe(true);
  });

  it('cancels the active runs of the job first with --restart', async () => {
    const s = await start();
    const earlier = await s.client.jobs.runNow({ job_id: BigInt(s.jobId) });
    const sink = recordingSink();
    const result = await runRemoteJob(options(s, s.jobId, sink, { restart: true }));
    expect(result.outcome).toBe('success');
    const first = s.ws.state.runs[String(earlier.run_id)]!;
    expect(first.cancelled_at).toBeDefined();
    // The old run was stopped before the new one started.
    const newRun = s.ws.state.runs[result.run_id]!;
    expect(newRun.created_at).toBeGreaterThanOrEqual(first.cancelled_at!);
  });
});

describe('a flaky workspace', () => {
  it('rides out 429 and 503 answers to runs/get', async () => {
    const s = await start();
    s.ws.setFaults({
      rules: [
        { match: 'GET /api/2.2/jobs/runs/get', fault: faults.tooManyRequests(3), skip: 2, times: 3 },
        { match: 'GET /api/2.2/jobs/runs/get', fault: faults.unavailable(), skip: 6, times: 2 },
      ],
    });
    const sink = recordingSink();
    const result = await runRemoteJob(options(s, s.jobId, sink));
    expect(result.outcome).toBe('success');
    const faulted = s.ws.requests.filter((r) => r.fault !== undefined).map((r) => r.status);
    expect(faulted).toEqual([429, 429, 429, 503, 503]);
  });

  it('keeps watching when errors outlast the client\'s own retries', async () => {
    const s = await start();
    // A client that gives up at once, so the watcher sees each failure.
    const impatient = createWorkspaceClient({
      env: { DATABRICKS_HOST: s.ws.url, DATABRICKS_TOKEN: s.ws.token },
      configFile: null,
      retry: { timeoutMs: 0 },
      now: () => s.clock.now(),
      sleep: s.watchClock.sleep,
    });
    s.ws.setFaults({
      rules: [
        { match: 'GET /api/2.2/jobs/runs/get', fault: faults.unavailable(), skip: 2, times: 4 },
        { match: 'GET /api/2.2/jobs/runs/get', fault: { kind: 'status', status: 502 }, times: 1 },
        { match: 'GET /api/2.2/jobs/runs/get', fault: faults.reset(), times: 1 },
      ],
    });
    const sink = recordingSink();
    const result = await runRemoteJob({ ...options(s, s.jobId, sink), client: impatient });
    expect(result.outcome).toBe('success');
    const warnings = sink.events.filter((e) => e.code === 'watch.connection' && e.data.state === 'lost' && e.level === 'warn' && /still watching/.test(e.message));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(sink.events.some((e) => e.code === 'watch.connection' && e.data.state === 'restored' && /Reaching the workspace again/.test(e.message))).toBe(true);
  });

  it('does not lose a started run when the first reads after run-now fail', async () => {
    const s = await start();
    const impatient = createWorkspaceClient({ env: { DATABRICKS_HOST: s.ws.url, DATABRICKS_TOKEN: s.ws.token }, configFile: null, retry: { timeoutMs: 0 } });
    s.ws.setFaults({
      rules: [
        { match: 'GET /api/2.2/jobs/runs/list', fault: faults.unavailable(), times: 1 },
        { match: 'GET /api/2.2/jobs/runs/get', fault: faults.unavailable(), times: 1 },
      ],
    });
    const sink = recordingSink();
    const result = await runRemoteJob({ ...options(s, s.jobId, sink), client: impatient });
    expect(result.outcome).toBe('success');
    expect(sink.events.find((e) => e.code === 'run.started')?.data).toEqual({ run_id: result.run_id, job_key: 'unified-workflow' });
    expect(paths(s, '/api/2.2/jobs/run-now')).toHaveLength(1);
    expect(s.ws.requests.filter((r) => r.fault !== undefined).map((r) => r.path)).toEqual(['/api/2.2/jobs/runs/list', '/api/2.2/jobs/runs/get']);
  });

  it('does not start a run once interrupted', async () => {
    const s = await start();
    const controller = new AbortController();
    controller.abort();
    const error = await expectRunFailure(runRemoteJob(options(s, s.jobId, recordingSink(), { signal: controller.signal })));
    expect(error.outcome).toBe('cancelled');
    expect(paths(s, '/api/2.2/jobs/run-now')).toHaveLength(0);
  });

  it('stops on an error that will not pass (the run was deleted)', async () => {
    const s = await start();
    s.ws.setFaults({ rules: [{ match: 'GET /api/2.2/jobs/runs/get', fault: { kind: 'status', status: 403, errorCode: 'PERMISSION_DENIED', message: 'no' }, skip: 2, times: 1 }] });
    await expect(runRemoteJob(options(s, s.jobId, recordingSink()))).rejects.toThrow(/PERMISSION_DENIED/);
  });
});

describe('big runs and big ids', () => {
  it('follows a run of 130 tasks, whose task list runs/get returns in pages of 100', async () => {
    const s = await start();
    s.ws.scenario.defaults({ pendingMs: 100, runningMs: 1_000 });
    const tasks = Array.from({ length: 130 }, (_, i) => ({ key: `t${String(i).padStart(3, '0')}`, ...(i >= 100 ? { deps: [`t${String(i - 100).padStart(3, '0')}`] } : {}) }));
    const jobId = await createNotebookJob(s.client, tasks, 'Wide');
    const sink = recordingSink();
    const result = await runRemoteJob(options(s, jobId, sink));
    expect(result.snapshot?.tasks).toHaveLength(130);
    const finals = new Map(taskEvents(sink.events).map((d) => [d.task_key, d]));
    expect(finals.size).toBe(130);
    expect([...finals.values()].every((d: TaskStateData) => d.result === 'SUCCESS')).toBe(true);
    expect(s.ws.requests.some((r) => r.path === '/api/2.2/jobs/runs/get' && r.query?.['page_token'] !== undefined)).toBe(true);
    // runs/list cuts a run's task list at 100, so the first poll is a runs/get of its own.
    const reads = s.ws.requests.filter((r) => r.path.startsWith('/api/2.2/jobs/runs/')).map((r) => r.path);
    expect(reads.slice(0, 2)).toEqual(['/api/2.2/jobs/runs/list', '/api/2.2/jobs/runs/get']);
  });

  it('keeps job and run ids above 2^53 exact, from run-now to cancel', async () => {
    setup = await virtualWorkspace({ bigIds: true });
    const s = setup;
    s.ws.scenario.defaults({ pendingMs: 1_000, runningMs: 10_000 });
    const jobId = await createNotebookJob(s.client, WORKFLOW);
    expect(BigInt(jobId)).toBeGreaterThanOrEqual(FIRST_UNSAFE_ID);
    const sink = recordingSink();
    const controller = new AbortController();
    const abortOnRunning = (e: DbxEvent) => {
      sink(e);
      if (e.code === 'task.state' && e.data.state === 'RUNNING') controller.abort();
    };
    await expectRunFailure(runRemoteJob({ ...options(s, jobId, sink), sink: abortOnRunning, signal: controller.signal }));
    const [runKey] = Object.keys(s.ws.state.runs);
    expect(BigInt(runKey!)).toBeGreaterThan(FIRST_UNSAFE_ID);
    expect(sink.events.find((e) => e.code === 'run.started')?.data).toMatchObject({ run_id: runKey });
    expect(taskEvents(sink.events).every((d) => d.run_id === runKey)).toBe(true);
    // The cancel went out with the exact id, and the workspace cancelled that run.
    expect(s.ws.state.runs[runKey!]!.cancelled_at).toBeDefined();
    const runNow = paths(s, '/api/2.2/jobs/run-now')[0]!;
    expect(String((runNow.body as { job_id: unknown }).job_id)).toBe(jobId);
  });
});

async function drain(rows: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of rows) {
    // consume
  }
}
