// The poller on the fake workspace: a repeat run's end is noticed within 2 s, and a first run's sooner than the
// SDK waiter would, both while making no more requests than the waiter.
import { afterEach, describe, expect, it } from 'vitest';
import { recordingSink } from '../../src/events/types.ts';
import { runRemoteJob } from '../../src/run/remote-run.ts';
import { baselineCount, linearBackoff } from '../../src/run/schedule.ts';
import { startJobRun } from '../../src/run/start.ts';
import { watchRun } from '../../src/run/watch.ts';
import { createNotebookJob, fixedIds, sampleModel, seededRandom, virtualWorkspace, WORKFLOW, type VirtualSetup } from './helpers.ts';

let setup: VirtualSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

/** Task durations of a 10-minute run of the workflow's shape, scaled by `factor`. */
function script(s: VirtualSetup, factor: number): void {
  const shares: Record<string, number> = {
    DLT_streaming_data: 0.25,
    task_ingest_batch_data: 0.15,
    batch_and_stream_processing: 0.3,
    optimize_gold_and_create_view: 0.15,
    gpt_summary: 0.2,
    update_dashboard: 0.1,
  };
  for (const [key, share] of Object.entries(shares)) s.ws.scenario.taskDuration(key, { pendingMs: 5_000, runningMs: Math.round(share * 600_000 * factor) - 5_000 });
}

async function runUnwatched(s: VirtualSetup, jobId: string): Promise<void> {
  const { runId } = await startJobRun(s.client, jobId, {});
  const run = s.ws.state.runs[runId]!;
  s.clock.advance(Math.max(...run.attempts.map((a) => a.end_at)) - s.clock.now() + 1_000);
}

async function watched(s: VirtualSetup, jobId: string) {
  const before = s.ws.requests.length;
  const result = await runRemoteJob({
    model: sampleModel(),
    projectRoot: '/nonexistent',
    jobKey: 'unified-workflow',
    env: {},
    sink: recordingSink(),
    client: s.client,
    deployed: fixedIds({ 'jobs.unified-workflow': jobId }),
    clock: s.watchClock,
    showResults: false,
  });
  const run = s.ws.state.runs[result.run_id]!;
  const end = Math.max(...run.attempts.map((a) => a.end_at));
  const requests = s.ws.requests.slice(before).filter((r) => r.path !== '/api/2.2/jobs/run-now').length;
  return { delay: result.watch!.noticedAt - end, requests, watchedFor: result.watch!.noticedAt - run.created_at };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('the predictive poller', () => {
  it('notices the end of a repeat run within 2 s, with no more requests than the linear baseline', async () => {
    setup = await virtualWorkspace();
    const jobId = await createNotebookJob(setup.client, WORKFLOW);
    for (const factor of [0.95, 1.05, 1.0, 0.98, 1.02]) {
      script(setup, factor);
      await runUnwatched(setup, jobId);
    }
    script(setup, 1.03);
    const getsBefore = setup.ws.requests.filter((r) => r.path === '/api/2.2/jobs/runs/get').length;
    const { delay, requests, watchedFor } = await watched(setup, jobId);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(2_000);
    expect(requests).toBeLessThanOrEqual(baselineCount(watchedFor));
    // History came from one runs/list call, which also showed the new run: no runs/get before the first wait.
    const lists = setup.ws.requests.filter((r) => r.path === '/api/2.2/jobs/runs/list');
    expect(lists).toHaveLength(1);
    expect(lists[0]!.query).toMatchObject({ job_id: jobId, expand_tasks: 'true', limit: '11' });
    expect(lists[0]!.query).not.toHaveProperty('completed_only');
    expect(requests).toBe(setup.ws.requests.filter((r) => r.path === '/api/2.2/jobs/runs/get').length - getsBefore + 1);
  });

  it('on first runs notices the end sooner than the linear baseline, with no more requests', async () => {
    setup = await virtualWorkspace();
    const s = setup;
    const ours: number[] = [];
    const theirs: number[] = [];
    // The waiter draws its jitter from its own stream, so how long it watches does not change our draws.
    const theirRandom = seededRandom(99);
    for (const factor of [0.2, 0.5, 0.9, 1, 1.1, 1.3, 2]) {
      // A new job each time, so there is no history; both watch the same scripted run.
      script(s, factor);
      const { delay, requests, watchedFor } = await watched(s, await createNotebookJob(s.client, WORKFLOW));
      expect(requests).toBeLessThanOrEqual(baselineCount(watchedFor));
      ours.push(delay);
      const { runId } = await startJobRun(s.client, await createNotebookJob(s.client, WORKFLOW), {});
      const watch = await watchRun({ client: s.client, runId, sink: recordingSink(), schedule: linearBackoff(theirRandom), clock: { ...s.watchClock, random: theirRandom } });
      const run = s.ws.state.runs[runId]!;
      theirs.push(watch.noticedAt - Math.max(...run.attempts.map((a) => a.end_at)));
    }
    expect(median(ours)).toBeLessThan(median(theirs));
    // The last task's 6 s to 2 minutes are closely watched with what the stages before it saved.
    expect(median(ours)).toBeLessThanOrEqual(3_000);
  });
});
