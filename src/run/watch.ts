// Watches one job run until it ends: polls runs/get on a schedule, emits a `task.state` event for every
// change, finds the update each pipeline task started, and rides out transient errors. Ctrl-C (the signal)
// and --timeout cancel the run through runs/cancel and keep watching until it has stopped.
import { RemoteApiError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { Run, WorkspaceClient } from '../workspace/index.ts';
import { toInt64 } from '../workspace/index.ts';
import { systemClock, type WatchClock } from './clock.ts';
import { findPipelineUpdate } from './pipeline-quality.ts';
import type { PollSchedule, PollState } from './schedule.ts';
import { snapshotOf, type RunSnapshot, type TaskSnapshot } from './snapshot.ts';
import { isTerminal } from './states.ts';
import { TaskEventEmitter } from './task-events.ts';
import { isTransient } from './transient.ts';

export interface WatchOptions {
  client: WorkspaceClient;
  runId: string;
  sink: EventSink;
  schedule: PollSchedule;
  clock?: WatchClock;
  /** Aborted on Ctrl-C: the run is cancelled. */
  signal?: AbortSignal;
  /** Cancel the run once this much time has passed since watching began. */
  timeoutMs?: number;
  /** Give up when polls keep failing transiently for this long (default 15 minutes). */
  transientLimitMs?: number;
  /** Requests made for this watch before it began (e.g. the history read), counted against the poll budget. */
  priorRequests?: number;
  /** The run as runs/get returned it just now: taken as the first poll. */
  initial?: Run;
  /** After runs/repair: a terminal state counts only once the run lists this repair (the API may lag). */
  awaitRepair?: string;
}

export interface WatchResult {
  snapshot: RunSnapshot;
  /** Why the watcher cancelled the run, if it did. */
  cancelledBy?: 'signal' | 'timeout';
  polls: number;
  requests: number;
  /** When the watcher saw the run's terminal state. */
  noticedAt: number;
  /** Pipeline update per pipeline task run id. */
  updates: Map<string, string>;
}

/** Poll step while waiting for a cancelled run to stop. */
const CANCEL_POLL_MS = 1000;
/** How long to wait for a cancelled run to reach a terminal state before giving up on it. */
const CANCEL_WAIT_MS = 5 * 60_000;
const DEFAULT_TRANSIENT_LIMIT_MS = 15 * 60_000;

export async function watchRun(opts: WatchOptions): Promise<WatchResult> {
  const clock = opts.clock ?? systemClock;
  const startedAt = clock.now();
  const deadline = opts.timeoutMs !== undefined ? startedAt + opts.timeoutMs : undefined;
  const updates = new Map<string, string>();
  const emitter = new TaskEventEmitter(opts.sink, updates);
  const lookedUp = new Set<string>();
  const state: PollState = { now: startedAt, startedAt, polls: 0, requests: opts.priorRequests ?? 0 };
  let cancelledBy: WatchResult['cancelledBy'];
  let cancelledAt = 0;
  let failingSince: number | undefined;
  let initial = opts.initial;

  for (;;) {
    const snapshot = await pollOnce();
    if (snapshot) {
      state.snapshot = snapshot;
      await findUpdates(snapshot);
      emitter.emitChanges(snapshot);
      const repairSeen = opts.awaitRepair === undefined || snapshot.repairIds.includes(opts.awaitRepair);
      if (isTerminal(snapshot.state) && repairSeen) {
        return { snapshot, ...(cancelledBy ? { cancelledBy } : {}), polls: state.polls, requests: state.requests, noticedAt: clock.now(), updates };
      }
    }
    if (!cancelledBy && opts.signal?.aborted) await cancel('signal');
    if (!cancelledBy && deadline !== undefined && clock.now() >= deadline) await cancel('timeout');
    if (cancelledBy && clock.now() - cancelledAt > CANCEL_WAIT_MS) {
      throw new RemoteApiError(`Run ${opts.runId} was cancelled but has not stopped after ${CANCEL_WAIT_MS / 60_000} minutes`, { error_code: 'CANCEL_TIMEOUT' });
    }
    state.now = clock.now();
    let delay = cancelledBy ? CANCEL_POLL_MS : opts.schedule.delay(state);
    if (!cancelledBy && deadline !== undefined) delay = Math.min(delay, Math.max(0, deadline - state.now));
    // Once cancelling, Ctrl-C no longer cuts the wait short (a second Ctrl-C exits the process).
    await clock.sleep(delay, cancelledBy ? undefined : opts.signal);
  }

  async function pollOnce(): Promise<RunSnapshot | undefined> {
    state.polls += 1;
    state.requests += 1;
    try {
      const run = initial ?? (await opts.client.jobs.getRun({ run_id: toInt64(opts.runId) }));
      initial = undefined;
      if (failingSince !== undefined) {
        opts.sink({ code: 'watch.connection', level: 'info', message: `Reaching the workspace again; still watching run ${opts.runId}`, data: { run_id: opts.runId, state: 'restored' } });
      }
      failingSince = undefined;
      return snapshotOf(run);
    } catch (error) {
      if (!isTransient(error)) throw error;
      const now = clock.now();
      if (failingSince === undefined) {
        failingSince = now;
        opts.sink({
          code: 'watch.connection',
          level: 'warn',
          message: `Could not read run ${opts.runId} (${(error as Error).message}); still watching`,
          data: { run_id: opts.runId, state: 'lost' },
        });
      } else if (now - failingSince > (opts.transientLimitMs ?? DEFAULT_TRANSIENT_LIMIT_MS)) {
        throw error;
      }
      return undefined;
    }
  }

  async function cancel(why: 'signal' | 'timeout'): Promise<void> {
    cancelledBy = why;
    cancelledAt = clock.now();
    const reason = why === 'signal' ? 'Interrupted' : `Timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)} s`;
    opts.sink({ code: 'run.cancelling', level: 'warn', message: `${reason}: cancelling run ${opts.runId} and waiting for it to stop`, data: { run_id: opts.runId, reason: why } });
    state.requests += 1;
    try {
      await opts.client.jobs.cancelRun({ run_id: toInt64(opts.runId) });
    } catch (error) {
      // The run may have ended in the meantime; the next poll tells.
      if (!(error instanceof RemoteApiError)) throw error;
      opts.sink({ code: 'log', level: 'warn', message: `runs/cancel failed: ${error.message}`, data: { run_id: opts.runId } });
    }
  }

  /** Looks up the pipeline update of each pipeline task once it has started (one lookup per attempt). */
  async function findUpdates(snapshot: RunSnapshot): Promise<void> {
    for (const task of snapshot.tasks) {
      if (!needsUpdateLookup(task)) continue;
      const runId = task.runId!;
      const attemptKey = `${runId}/${isTerminal(task.state) ? 'ended' : 'running'}`;
      if (updates.has(runId) || lookedUp.has(attemptKey)) continue;
      // At most two lookups per attempt: while it runs, and (if the update was not there yet) once it ended.
      lookedUp.add(attemptKey);
      state.requests += 1;
      try {
        const id = await findPipelineUpdate(opts.client, task.pipelineId!, task.start!, task.end);
        if (id) updates.set(runId, id);
      } catch (error) {
        if (!(error instanceof RemoteApiError)) throw error;
        opts.sink({ code: 'log', level: 'debug', message: `Could not find the update of ${task.key}: ${error.message}`, data: {} });
      }
    }
  }
}

function needsUpdateLookup(task: TaskSnapshot): boolean {
  return (
    task.pipelineId !== undefined &&
    task.runId !== undefined &&
    task.start !== undefined &&
    (task.state.lifeCycle === 'RUNNING' || task.state.lifeCycle === 'TERMINATING' || (isTerminal(task.state) && task.state.result !== 'UPSTREAM_FAILED'))
  );
}
