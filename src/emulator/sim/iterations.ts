// The iterations of a for-each task that executes: each attempt of each iteration is a task run of its own, with
// its id, times, result and output, written into the for-each task's record as the scheduler decides. runs/get on
// the for-each task's run lists them (`iterations`), get-output takes an iteration's id, and a repair of the
// for-each keeps the iterations that succeeded.
import { commonErrors, type ForEachStats, type IterationEvent } from '../../jobs/run-tasks.ts';
import { nextRunId } from '../ids.ts';
import type { IterationRecord, TaskAttemptRecord, TaskOutputRecord, WorkspaceState } from '../state.ts';
import { stateMessage } from './run-plan.ts';

/** An end that has not come yet (the same mark live-runs.ts uses for attempts). */
const OPEN = Number.MAX_SAFE_INTEGER;

/**
 * Writes one scheduler decision about an iteration into the for-each task's `record`, with the stats after it.
 * `output`: what get-output shows for an iteration that ended.
 */
export function recordIteration<R>(state: WorkspaceState, record: TaskAttemptRecord, event: IterationEvent<R>, output: (event: IterationEvent<R>) => TaskOutputRecord): void {
  const control = (record.control ??= {});
  control.for_each_stats = event.stats;
  const iterations = (control.iterations ??= []);
  const { step, index, input } = event;
  if (step.kind === 'start') {
    iterations.push({ run_id: nextRunId(state), index, input, attempt_number: step.attempt, ready_at: step.readyAt, running_at: step.at, end_at: OPEN, result: 'SUCCESS', skipped: false, state_message: '', output: {} });
    return;
  }
  if (step.kind === 'skip') {
    iterations.push({ run_id: nextRunId(state), index, input, attempt_number: 0, ready_at: step.at, running_at: step.at, end_at: step.at, result: step.result, skipped: true, state_message: step.message, output: {} });
    return;
  }
  const iteration = iterations.find((i) => i.index === index && i.attempt_number === step.attempt && i.end_at === OPEN);
  if (!iteration) return;
  iteration.end_at = step.at;
  iteration.running_at = Math.min(iteration.running_at, step.at);
  iteration.result = step.result;
  iteration.state_message = step.result === 'CANCELED' ? 'Run cancelled.' : stateMessage(step.result);
  iteration.output = output(event);
}

/** The latest attempt of each iteration, by index. */
export function latestIterations(iterations: readonly IterationRecord[]): Map<number, IterationRecord> {
  const latest = new Map<number, IterationRecord>();
  for (const i of iterations) {
    const seen = latest.get(i.index);
    if (!seen || i.attempt_number >= seen.attempt_number) latest.set(i.index, i);
  }
  return latest;
}

/**
 * What a repair of a for-each task that did not succeed keeps: its iterations whose latest attempt succeeded (by
 * index, with their input), and their records, listed again under the repaired task run.
 */
export function keptIterations(final: TaskAttemptRecord): { inputs: Map<number, unknown>; records: IterationRecord[] } | undefined {
  const iterations = final.control?.iterations;
  if (final.result === 'SUCCESS' || !iterations) return undefined;
  const succeeded = [...latestIterations(iterations).values()].filter((i) => i.result === 'SUCCESS').sort((a, b) => a.index - b.index);
  return { inputs: new Map(succeeded.map((i) => [i.index, i.input])), records: succeeded.map((i) => structuredClone(i)) };
}

/**
 * A for-each task's iteration counts at `now` from its iteration runs (only an iteration's latest attempt counts):
 * what runs/get shows while a planned timeline unfolds.
 */
export function iterationStats(total: number, iterations: readonly IterationRecord[], now: number): ForEachStats {
  const final = latestIterations(iterations);
  const started = new Set(iterations.filter((i) => i.ready_at <= now).map((i) => i.index));
  const completed = [...final.values()].filter((i) => i.ready_at <= now && i.end_at <= now);
  const failures = completed.filter((i) => i.result !== 'SUCCESS');
  const counts = new Map<string, number>();
  for (const i of failures) counts.set(i.output.error ?? i.state_message, (counts.get(i.output.error ?? i.state_message) ?? 0) + 1);
  return {
    total_iterations: total,
    scheduled_iterations: started.size,
    active_iterations: started.size - completed.length,
    completed_iterations: completed.length,
    succeeded_iterations: completed.length - failures.length,
    failed_iterations: failures.length,
    errors: commonErrors(counts),
  };
}
