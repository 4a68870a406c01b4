// The local run's half of going through the workspace: a run started with run-now on a workspace that executes its
// tasks is followed through the run observer (task states in order, a retry, the run's end read back with runs/get),
// Ctrl-C cancels it through runs/cancel, and the job's timeout_seconds ends it TIMEDOUT. Tasks here are scripted by
// key, so no engine runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbxEvent } from '../../src/events/types.ts';
import { type FakeWorkspace, TaskExecutionError, type TaskExecution, type TaskExecutor, startFakeWorkspace } from '../../src/emulator/index.ts';
import type { TaskSettings } from '../../src/model/types.ts';
import { localJobsApi } from '../../src/local/workspace-api.ts';
import { RunFollower } from '../../src/local/workspace-run.ts';
import { call } from '../emulator/client.ts';

/** `ok*` succeed, `flaky*` fail their first attempt, `slow*` run until stopped. */
function scriptedExecutor(follower: RunFollower): TaskExecutor {
  return {
    observer: follower.observer,
    async execute(e: TaskExecution) {
      const key = String(e.task['task_key']);
      if (key.startsWith('flaky') && e.attempt === 0) throw new TaskExecutionError(`${key} failed once`);
      if (key.startsWith('slow')) {
        await new Promise((_, reject) => e.signal.addEventListener('abort', () => reject(new Error('stopped'))));
      }
      return {};
    },
  };
}

let ws: FakeWorkspace;
let events: DbxEvent[];
let follower: RunFollower;
beforeEach(async () => {
  events = [];
  follower = new RunFollower((e) => events.push(e));
  ws = await startFakeWorkspace({ runs: scriptedExecutor(follower) });
});
afterEach(async () => {
  await ws.close();
});

const task = (task_key: string, deps: string[] = [], extra: Record<string, unknown> = {}) =>
  ({ task_key, notebook_task: { notebook_path: `/Shared/${task_key}` }, ...(deps.length ? { depends_on: deps.map((d) => ({ task_key: d })) } : {}), ...extra }) as TaskSettings;

async function runJob(tasks: TaskSettings[], settings: Record<string, unknown> = {}, request: { signal?: AbortSignal; timeoutMs?: number } = {}) {
  const jobId = String((await call(ws, 'POST', '/api/2.2/jobs/create', { body: { name: 'Orders', tasks, ...settings } })).body.job_id);
  const api = localJobsApi(ws.url, ws.token);
  const timeoutSeconds = typeof settings['timeout_seconds'] === 'number' ? { timeoutSeconds: settings['timeout_seconds'] } : {};
  return follower.run({ api, jobId, jobKey: 'orders', jobName: 'Orders', tasks, params: {}, sink: (e) => events.push(e), ...timeoutSeconds, ...request }, () => api.runNow({ job_id: jobId }));
}

const lines = () => events.filter((e) => e.code === 'task.state' || e.code === 'run.started' || e.code === 'run.cancelling').map((e) => e.message);

describe('a local run followed through the workspace', () => {
  it('reports each task state as the scheduler decides it, a retry included, and reads the end back', async () => {
    const run = await runJob([task('ok_a'), task('flaky_b', ['ok_a'], { max_retries: 1, min_retry_interval_millis: 0 })]);
    expect(run.state).toMatchObject({ lifeCycle: 'TERMINATED', result: 'SUCCESS' });
    expect(lines()).toEqual([
      `Running Orders (orders) on the local target, run ${run.runId}`,
      'ok_a: PENDING',
      'flaky_b: PENDING',
      'ok_a: RUNNING',
      'ok_a: TERMINATED SUCCESS',
      'flaky_b: RUNNING',
      'flaky_b: WAITING_FOR_RETRY',
      'flaky_b: RUNNING',
      'flaky_b: TERMINATED SUCCESS',
    ]);
    expect(events.find((e) => e.code === 'log' && e.level === 'warn')?.message).toMatch(/^Task flaky_b failed \(attempt 1\); retrying now/);
    expect(run.outcomes.map((o) => [o.task_key, o.result, o.attempts])).toEqual([
      ['ok_a', 'SUCCESS', 1],
      ['flaky_b', 'SUCCESS', 2],
    ]);
    // The run is the workspace's: runs/get has it with its tasks.
    const got = (await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: run.runId } })).body;
    expect(got.tasks.map((t: { task_key: string }) => t.task_key)).toEqual(['ok_a', 'flaky_b', 'flaky_b']);
  });

  it('Ctrl-C cancels the run through runs/cancel and waits for it to stop', async () => {
    const controller = new AbortController();
    const done = runJob([task('slow_a'), task('ok_b', ['slow_a'])], {}, { signal: controller.signal });
    while (!lines().includes('slow_a: RUNNING')) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const run = await done;
    expect(run.state).toMatchObject({ lifeCycle: 'TERMINATED', result: 'CANCELED' });
    expect(lines()).toContain(`Interrupted: cancelling run ${run.runId} and waiting for it to stop`);
    expect(run.outcomes.map((o) => o.result)).toEqual(['CANCELED', 'CANCELED']);
    expect(run.timedOut).toBe(false);
  });

  it('--timeout cancels after its duration; the job timeout_seconds ends the run TIMEDOUT', async () => {
    const cancelled = await runJob([task('slow_a')], {}, { timeoutMs: 20 });
    expect(cancelled.timedOut).toBe(true);
    expect(cancelled.state.result).toBe('CANCELED');
    events = [];
    const timedOut = await runJob([task('slow_b')], { timeout_seconds: 1 });
    expect(timedOut.jobTimedOut).toBe(true);
    expect(timedOut.state.result).toBe('TIMEDOUT');
    expect(timedOut.outcomes[0]!.result).toBe('TIMEDOUT');
    expect(lines()).toContain(`Run ${timedOut.runId} timed out after 1 s (the job's timeout_seconds): stopping its tasks`);
  });
});
