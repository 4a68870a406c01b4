// Starting a job run: optionally cancel the job's active runs first (--restart), then run-now with job
// parameters and an idempotency token, so a retried request can never start a second run.
import { randomUUID } from 'node:crypto';
import type { EventSink } from '../events/types.ts';
import type { WorkspaceClient } from '../workspace/index.ts';
import { int64ToString, toInt64 } from '../workspace/index.ts';
import { systemClock, type WatchClock } from './clock.ts';
import { snapshotOf } from './snapshot.ts';
import { isTerminal } from './states.ts';

export interface StartedRun {
  runId: string;
  idempotencyToken: string;
}

/** `only`: run these tasks of the job and no others (run-now's `only`). */
export async function startJobRun(client: WorkspaceClient, jobId: string, params: Record<string, string>, token: string = randomUUID(), only?: readonly string[]): Promise<StartedRun> {
  const response = await client.jobs.runNow({
    job_id: toInt64(jobId),
    idempotency_token: token,
    ...(Object.keys(params).length > 0 ? { job_parameters: params } : {}),
    ...(only && only.length > 0 ? { only: [...only] } : {}),
  });
  if (response.run_id === undefined) throw new Error('run-now returned no run_id');
  return { runId: int64ToString(response.run_id), idempotencyToken: token };
}

/** How long --restart waits for cancelled runs to stop before starting anyway. */
const RESTART_WAIT_MS = 5 * 60_000;

/** Cancels every active run of the job and waits until they have stopped; returns their ids. */
export async function cancelActiveRuns(
  client: WorkspaceClient,
  jobId: string,
  sink: EventSink,
  clock: WatchClock = systemClock,
): Promise<string[]> {
  const active: string[] = [];
  for await (const run of client.jobs.listRuns({ job_id: toInt64(jobId), active_only: true })) {
    if (run.run_id !== undefined) active.push(int64ToString(run.run_id));
  }
  for (const runId of active) {
    sink({ code: 'run.cancelling', level: 'info', message: `Cancelling active run ${runId} (--restart)`, data: { run_id: runId, reason: 'restart' } });
    await client.jobs.cancelRun({ run_id: toInt64(runId) });
  }
  const started = clock.now();
  let pending = [...active];
  while (pending.length > 0 && clock.now() - started < RESTART_WAIT_MS) {
    const still: string[] = [];
    for (const runId of pending) {
      if (!isTerminal(snapshotOf(await client.jobs.getRun({ run_id: toInt64(runId) })).state)) still.push(runId);
    }
    pending = still;
    if (pending.length > 0) await clock.sleep(1000);
  }
  if (pending.length > 0) {
    sink({ code: 'log', level: 'warn', message: `Run(s) ${pending.join(', ')} have not stopped yet; starting anyway`, data: {} });
  }
  return active;
}
