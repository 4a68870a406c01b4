// Whether a task runs once its dependencies are done: the Jobs service's run_if conditions, as documented
// (docs.databricks.com/jobs/run-if): success conditions that are not met mark the task UPSTREAM_FAILED,
// failure-handling conditions that are not met mark it EXCLUDED, an excluded task counts as succeeded, a task
// whose dependencies were all excluded is excluded too, and a cancelled dependency lets failure-handling
// conditions run.

/** How a task of a run ended. */
export type TaskResult = 'SUCCESS' | 'FAILED' | 'TIMEDOUT' | 'CANCELED' | 'UPSTREAM_FAILED' | 'UPSTREAM_CANCELED' | 'EXCLUDED';

export const RUN_IF_CONDITIONS = ['ALL_SUCCESS', 'AT_LEAST_ONE_SUCCESS', 'NONE_FAILED', 'ALL_DONE', 'AT_LEAST_ONE_FAILED', 'ALL_FAILED'] as const;
export type RunIf = (typeof RUN_IF_CONDITIONS)[number];

export type RunIfDecision = { run: true } | { run: false; result: TaskResult; message: string };

const FAILED: ReadonlySet<TaskResult> = new Set(['FAILED', 'TIMEDOUT', 'UPSTREAM_FAILED']);
const CANCELLED: ReadonlySet<TaskResult> = new Set(['CANCELED', 'UPSTREAM_CANCELED']);
const SUCCEEDED: ReadonlySet<TaskResult> = new Set(['SUCCESS', 'EXCLUDED']);
const FAILURE_HANDLING: ReadonlySet<string> = new Set(['ALL_DONE', 'AT_LEAST_ONE_FAILED', 'ALL_FAILED']);

export function isRunIf(value: unknown): value is RunIf {
  return typeof value === 'string' && (RUN_IF_CONDITIONS as readonly string[]).includes(value);
}

/** Evaluates `runIf` (default ALL_SUCCESS) against the results of the task's dependencies. */
export function decideRunIf(runIf: string | undefined, deps: readonly TaskResult[]): RunIfDecision {
  if (deps.length === 0) return { run: true };
  const condition = isRunIf(runIf) ? runIf : 'ALL_SUCCESS';
  if (deps.every((r) => r === 'EXCLUDED')) {
    return { run: false, result: 'EXCLUDED', message: 'All dependencies of this task were excluded.' };
  }
  const succeeded = deps.filter((r) => SUCCEEDED.has(r)).length;
  const failed = deps.filter((r) => FAILED.has(r)).length;
  const cancelled = deps.filter((r) => CANCELLED.has(r)).length;
  const ran = deps.filter((r) => r === 'SUCCESS').length;
  const met: Record<RunIf, boolean> = {
    ALL_SUCCESS: succeeded === deps.length,
    AT_LEAST_ONE_SUCCESS: succeeded > 0,
    NONE_FAILED: failed === 0 && cancelled === 0 && ran > 0,
    ALL_DONE: true,
    // A cancelled dependency counts as a failure for the conditions that handle failures.
    AT_LEAST_ONE_FAILED: failed + cancelled > 0,
    ALL_FAILED: failed + cancelled === deps.length,
  };
  if (met[condition]) return { run: true };
  if (FAILURE_HANDLING.has(condition)) return { run: false, result: 'EXCLUDED', message: `The run_if condition ${condition} was not met.` };
  if (cancelled > 0 && failed === 0) return { run: false, result: 'UPSTREAM_CANCELED', message: 'Upstream task was canceled.' };
  return { run: false, result: 'UPSTREAM_FAILED', message: 'Upstream task failed.' };
}
