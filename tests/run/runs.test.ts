// dbx-ts runs list|get|cancel|repair on the fake workspace: which runs are listed, how a run and its failures
// are shown, what cancel touches, and repair re-running the failed tasks and their dependents.
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/index.ts';
import { recordingSink, type DbxEvent } from '../../src/events/types.ts';
import { cancelRuns, formatDuration, listJobRuns, repairFailedTasks, showRun, type RunsContext } from '../../src/run/runs.ts';
import { createNotebookJob, fixedIds, sampleModel, virtualWorkspace, WORKFLOW, type VirtualSetup } from './helpers.ts';

let setup: VirtualSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

async function start() {
  setup = await virtualWorkspace();
  setup.ws.scenario.defaults({ queuedMs: 0, pendingMs: 1_000, runningMs: 10_000 });
  const jobId = await createNotebookJob(setup.client, WORKFLOW);
  const sink = recordingSink();
  const ctx: RunsContext = { client: setup.client, model: sampleModel(), deployed: fixedIds({ 'jobs.unified-workflow': jobId }), sink };
  return { s: setup, jobId, sink, ctx };
}

async function finishedRun(s: VirtualSetup, jobId: string): Promise<string> {
  const { run_id } = await s.client.jobs.runNow({ job_id: BigInt(jobId) });
  s.clock.advance(10 * 60_000);
  return String(run_id);
}

const previews = (events: DbxEvent[]) => events.filter((e): e is Extract<DbxEvent, { code: 'table.preview' }> => e.code === 'table.preview');

describe('runs list', () => {
  it('lists the job\'s runs newest first with their state and result', async () => {
    const { s, jobId, sink, ctx } = await start();
    const first = await finishedRun(s, jobId);
    s.ws.scenario.taskOutcome('gpt_summary', { result: 'FAILED', error: 'boom' });
    const second = await finishedRun(s, jobId);
    const { run_id: active } = await s.client.jobs.runNow({ job_id: BigInt(jobId) });

    await listJobRuns(ctx, 'unified-workflow');
    const [table] = previews(sink.events);
    expect(table!.data.columns).toEqual(['run_id', 'state', 'result', 'start', 'duration', 'trigger', 'url']);
    expect(table!.data.rows.map((r) => r.slice(0, 3))).toEqual([
      [String(active), 'PENDING', ''],
      [second, 'TERMINATED', 'FAILED'],
      [first, 'TERMINATED', 'SUCCESS'],
    ]);

    await listJobRuns(ctx, 'unified-workflow', { activeOnly: true, limit: 5 });
    expect(previews(sink.events)[1]!.data.rows.map((r) => r[0])).toEqual([String(active)]);
  });

  it('says how to deploy a job that is not deployed', async () => {
    const { ctx } = await start();
    await expect(listJobRuns({ ...ctx, deployed: fixedIds({}) }, 'unified-workflow')).rejects.toThrow(UserError);
    await expect(listJobRuns(ctx, 'no-such-job')).rejects.toThrow(/No job "no-such-job"/);
  });
});

describe('runs get', () => {
  it('shows the latest run of a job with its tasks and why it failed', async () => {
    const { s, jobId, sink, ctx } = await start();
    await finishedRun(s, jobId);
    s.ws.scenario.taskOutcome('batch_and_stream_processing', { result: 'FAILED', error: 'Py4JJavaError: out of memory', error_trace: 'java.lang.OutOfMemoryError: Java heap space' });
    const latest = await finishedRun(s, jobId);

    const snapshot = await showRun(ctx, { jobKey: 'unified-workflow' });
    expect(snapshot.runId).toBe(latest);
    const header = sink.events.find((e) => e.code === 'log' && e.level === 'result')!;
    expect(header.message).toMatch(new RegExp(`^Run ${latest} of job ${jobId}: TERMINATED FAILED`));
    const tasks = previews(sink.events)[0]!.data.rows;
    expect(tasks.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['DLT_streaming_data', 'TERMINATED', 'SUCCESS'],
      ['task_ingest_batch_data', 'TERMINATED', 'SUCCESS'],
      ['batch_and_stream_processing', 'TERMINATED', 'FAILED'],
      ['optimize_gold_and_create_view', 'SKIPPED', 'UPSTREAM_FAILED'],
      ['gpt_summary', 'SKIPPED', 'UPSTREAM_FAILED'],
      ['update_dashboard', 'SKIPPED', 'UPSTREAM_FAILED'],
    ]);
    const failure = sink.events.find((e) => e.code === 'task.failure' && e.message.startsWith('Task batch_and_stream_processing failed'))!;
    expect(failure.message).toContain('Py4JJavaError: out of memory');
    expect(failure.message).toContain('java.lang.OutOfMemoryError: Java heap space');
    expect(failure.message).toContain('skipped because of it: optimize_gold_and_create_view, gpt_summary, update_dashboard');
  });

  it('tells a job without runs to start one', async () => {
    const { ctx } = await start();
    await expect(showRun(ctx, { jobKey: 'unified-workflow' })).rejects.toThrow(/has no runs/);
  });
});

describe('runs cancel', () => {
  it('cancels a run by id, or every active run of a job (and leaves finished ones alone)', async () => {
    const { s, jobId, ctx } = await start();
    const done = await finishedRun(s, jobId);
    const a = String((await s.client.jobs.runNow({ job_id: BigInt(jobId) })).run_id);
    const b = String((await s.client.jobs.runNow({ job_id: BigInt(jobId) })).run_id);
    expect(await cancelRuns(ctx, { runId: a })).toEqual([a]);
    expect(s.ws.state.runs[a]!.cancelled_at).toBeDefined();
    expect(await cancelRuns(ctx, { jobKey: 'unified-workflow' })).toEqual([b]);
    expect(s.ws.state.runs[b]!.cancelled_at).toBeDefined();
    expect(s.ws.state.runs[done]!.cancelled_at).toBeUndefined();
  });

  it('says a run had already finished instead of asking it to stop', async () => {
    const { s, jobId, sink, ctx } = await start();
    const done = await finishedRun(s, jobId);
    expect(await cancelRuns(ctx, { runId: done })).toEqual([]);
    expect(s.ws.state.runs[done]!.cancelled_at).toBeUndefined();
    const messages = sink.events.map((e) => e.message);
    expect(messages).toContain(`Run ${done} had already finished (TERMINATED SUCCESS); nothing to cancel.`);
    expect(messages.some((m) => m.startsWith('Asked run'))).toBe(false);
  });
});

describe('runs repair', () => {
  it('re-runs the failed task and its dependents, passing the latest repair id the second time', async () => {
    const { s, jobId, sink, ctx } = await start();
    s.ws.scenario.taskOutcome('optimize_gold_and_create_view', [{ result: 'FAILED', error: 'first' }, { result: 'FAILED', error: 'second' }, { result: 'SUCCESS' }]);
    const runId = await finishedRun(s, jobId);

    await expect(repairFailedTasks(ctx, runId, { clock: s.watchClock })).rejects.toThrow(/failed: task optimize_gold_and_create_view failed/);
    const repaired = await repairFailedTasks(ctx, runId, { clock: s.watchClock });
    expect(repaired.outcome).toBe('success');

    const bodies = s.ws.requests.filter((r) => r.path === '/api/2.2/jobs/runs/repair').map((r) => r.body as Record<string, unknown>);
    expect(bodies[0]).toEqual({ run_id: Number(runId), rerun_all_failed_tasks: true, rerun_dependent_tasks: true });
    const firstRepair = s.ws.state.runs[runId]!.repairs[0]!.repair_id;
    expect(bodies[1]).toEqual({ run_id: Number(runId), rerun_all_failed_tasks: true, rerun_dependent_tasks: true, latest_repair_id: Number(firstRepair) });
    // Only the failed task and what depends on it ran again.
    const reran = new Set(s.ws.state.runs[runId]!.attempts.filter((a) => a.repair_id !== undefined).map((a) => a.task_key));
    expect([...reran].sort()).toEqual(['gpt_summary', 'optimize_gold_and_create_view', 'update_dashboard']);
    expect(sink.events.some((e) => e.code === 'run.started' && e.message.startsWith(`Repairing run ${runId}`))).toBe(true);
  });
});

describe('durations in tables', () => {
  it.each([
    [0, '0s'],
    [42_400, '42s'],
    [185_000, '3m05s'],
    [3_725_000, '1h02m'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
