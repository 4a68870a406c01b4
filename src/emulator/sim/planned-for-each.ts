// A for-each task of a simulated run (a workspace that follows its scenario): its iterations are planned by the
// same scheduler as the run's tasks, each one the nested task with {{input}} filled in, following the nested task's
// scripted outcome and durations, `concurrency` at a time, with the nested task's retries. The for-each ends when
// its last iteration does and fails when one did, as in an executing workspace (src/jobs/run-tasks.ts).
import type { ReferenceContext } from '../../jobs/dynamic-values.ts';
import { resolveDeep, resolveReferences } from '../../jobs/dynamic-values.ts';
import { forEachFailure, forEachInputs, iterationOf } from '../../jobs/run-tasks.ts';
import type { SchedulableTask } from '../../jobs/task-scheduler.ts';
import { isJsonObject, type JsonObject } from '../http/json.ts';
import type { IterationRecord } from '../state.ts';
import { iterationStats } from './iterations.ts';
import { type PlannedOutcome, planAttempts, taskKeyOf } from './run-plan.ts';

export interface PlanForEachRequest {
  /** The for-each task. */
  task: JsonObject;
  /** When the for-each task starts running: its first iterations become ready then. */
  runningAt: number;
  references: ReferenceContext;
  /** How an attempt of the nested task goes (the scenario's script for its key). */
  outcome(nested: JsonObject, attempt: number): PlannedOutcome;
  durations(taskKey: string): { pendingMs: number; runningMs: number };
  nextRunId(): bigint;
  /** A repair: the iterations that succeeded before (by index, with their input and records); they do not run again. */
  kept?: { inputs: ReadonlyMap<number, unknown>; records: readonly IterationRecord[] } | undefined;
}

function failed(message: string): PlannedOutcome {
  return { result: 'FAILED', output: { error: message } };
}

export function planForEach(req: PlanForEachRequest): PlannedOutcome {
  const spec = isJsonObject(req.task['for_each_task']) ? req.task['for_each_task'] : {};
  const key = taskKeyOf(req.task);
  let inputs: unknown[];
  try {
    inputs = forEachInputs(resolveReferences(String(spec['inputs'] ?? ''), { ...req.references, taskKey: key }, true));
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
  const nested = spec['task'];
  if (!isJsonObject(nested)) return failed(`Task "${key}": for_each_task.task is missing.`);
  if (isJsonObject(nested['for_each_task'])) return failed(`Task "${key}": the nested task of a for-each task cannot be another for-each task.`);
  const nestedKey = taskKeyOf(nested);
  const concurrency = Math.max(1, Math.floor(Number(spec['concurrency'] ?? 1)) || 1);
  const kept = [...(req.kept?.records ?? [])].filter((r) => r.index < inputs.length && JSON.stringify(inputs[r.index]) === JSON.stringify(req.kept?.inputs.get(r.index)));
  const keptIndexes = new Set(kept.map((r) => r.index));
  const tasks = inputs
    .map((input, i) => resolveDeep(iterationOf(nested as unknown as SchedulableTask, i) as unknown as JsonObject, { ...req.references, taskKey: nestedKey, input }))
    .filter((t) => !keptIndexes.has(Number(taskKeyOf(t))));
  const attempts = planAttempts({
    tasks,
    known: new Map(),
    startAt: req.runningAt,
    firstAttempt: () => 0,
    parallelism: concurrency,
    outcome: (t, attempt) => req.outcome({ ...t, task_key: nestedKey }, attempt),
    durations: () => req.durations(nestedKey),
    nextRunId: req.nextRunId,
  });
  const iterations: IterationRecord[] = [
    ...kept,
    ...attempts.map((a) => {
      const index = Number(a.task_key);
      const { run_id, attempt_number, ready_at, running_at, end_at, result, skipped, state_message, output } = a;
      return { run_id, index, input: inputs[index], attempt_number, ready_at, running_at, end_at, result, skipped, state_message, output };
    }),
  ];
  const stats = iterationStats(inputs.length, iterations, Number.MAX_SAFE_INTEGER);
  const runningMs = Math.max(req.runningAt, ...attempts.map((a) => a.end_at)) - req.runningAt;
  const control = { iterations, for_each_stats: stats };
  if (stats.failed_iterations === 0) return { result: 'SUCCESS', runningMs, output: {}, control };
  return { ...failed(forEachFailure(stats.failed_iterations, inputs.length, nestedKey, stats.errors[0]?.message)), runningMs, control };
}
