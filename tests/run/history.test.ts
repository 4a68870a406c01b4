// Reading a job's recent runs just after run-now, on the fake workspace: the run just started comes back as its
// first poll, the other runs as task history, in one runs/list request.
import { afterEach, describe, expect, it } from 'vitest';
import { readRecentRuns } from '../../src/run/history.ts';
import { startJobRun } from '../../src/run/start.ts';
import { int64ToString } from '../../src/workspace/index.ts';
import { createNotebookJob, virtualWorkspace, WORKFLOW, type VirtualSetup } from './helpers.ts';

let setup: VirtualSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

async function finishedRun(s: VirtualSetup, jobId: string): Promise<void> {
  await startJobRun(s.client, jobId, {});
  s.clock.advance(10 * 60_000);
}

const lists = (s: VirtualSetup) => s.ws.requests.filter((r) => r.path === '/api/2.2/jobs/runs/list');

describe('recent runs', () => {
  it('returns the run just started as a poll, and learns from the others', async () => {
    setup = await virtualWorkspace();
    const s = setup;
    s.ws.scenario.defaults({ queuedMs: 0, pendingMs: 1_000, runningMs: 10_000 });
    const jobId = await createNotebookJob(s.client, WORKFLOW);
    await finishedRun(s, jobId);
    s.ws.scenario.taskDuration('gpt_summary', { pendingMs: 1_000, runningMs: 30_000 });
    await finishedRun(s, jobId);
    const { runId } = await startJobRun(s.client, jobId, {});

    const { history, current } = await readRecentRuns(s.client, jobId, runId);

    expect(current && int64ToString(current.run_id!)).toBe(runId);
    expect(current?.tasks?.map((t) => t.task_key)).toEqual(WORKFLOW.map((t) => t.key));
    expect(current?.run_page_url).toContain(`/run/${runId}`);
    // Only the two finished runs count: the new one has no finished task yet.
    expect(history.get('update_dashboard')).toMatchObject({ median: 11_000, samples: 2 });
    expect(history.get('gpt_summary')).toMatchObject({ median: 21_000, samples: 2 });
    expect(lists(s)).toHaveLength(1);
  });

  it('finds a run whose id is above 2^53', async () => {
    setup = await virtualWorkspace({ bigIds: true });
    const s = setup;
    const jobId = await createNotebookJob(s.client, WORKFLOW);
    const { runId } = await startJobRun(s.client, jobId, {});
    expect(BigInt(runId)).toBeGreaterThan(2n ** 53n);
    const { current, history } = await readRecentRuns(s.client, jobId, runId);
    expect(current && int64ToString(current.run_id!)).toBe(runId);
    expect(history.size).toBe(0);
  });

  it('has no poll to offer for a run it does not list, and reads one page only', async () => {
    setup = await virtualWorkspace();
    const s = setup;
    s.ws.scenario.defaults({ queuedMs: 0, pendingMs: 1_000, runningMs: 1_000 });
    const jobId = await createNotebookJob(s.client, WORKFLOW);
    for (let i = 0; i < 14; i++) await finishedRun(s, jobId);
    const { current, history } = await readRecentRuns(s.client, jobId, '1');
    expect(current).toBeUndefined();
    expect(history.get('DLT_streaming_data')?.samples).toBe(11);
    expect(lists(s)).toHaveLength(1);
  });
});
