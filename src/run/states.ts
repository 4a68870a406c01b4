// One view of a run's (or a task's) state from either shape Databricks returns: the legacy `state`
// (life_cycle_state, result_state) and the Jobs 2.2 `status` (state, termination_details). Legacy wins when
// present because it is finer (UPSTREAM_FAILED, EXCLUDED); `status` fills in when it is absent. Unknown enum
// values pass through unchanged: Databricks adds codes, and a client must not reject them.

/** The fields both a Run and a RunTask carry. */
export interface HasRunState {
  state?: { life_cycle_state?: string; result_state?: string; state_message?: string; user_cancelled_or_timedout?: boolean };
  status?: { state?: string; termination_details?: { code?: string; type?: string; message?: string } };
}

export interface NormalState {
  /** QUEUED, PENDING, RUNNING, TERMINATING, TERMINATED, SKIPPED, INTERNAL_ERROR, BLOCKED, WAITING_FOR_RETRY, or a newer value. */
  lifeCycle: string;
  /** Set once terminal: SUCCESS, FAILED, TIMEDOUT, CANCELED, UPSTREAM_FAILED, ... */
  result?: string;
  message?: string;
}

const TERMINAL = new Set(['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR']);

/** 2.2 status.state → legacy life cycle (WAITING is the retry wait). */
const FROM_V2_STATE: Record<string, string> = { WAITING: 'WAITING_FOR_RETRY' };

/** termination_details.code → legacy result_state, for responses without `state`. */
const FROM_TERMINATION_CODE: Record<string, string> = {
  SUCCESS: 'SUCCESS',
  SUCCESS_WITH_FAILURES: 'SUCCESS_WITH_FAILURES',
  USER_CANCELED: 'CANCELED',
  CANCELED: 'CANCELED',
  SKIPPED: 'UPSTREAM_FAILED',
  DISABLED: 'DISABLED',
  MAX_CONCURRENT_RUNS_EXCEEDED: 'MAXIMUM_CONCURRENT_RUNS_REACHED',
};

export function normalState(item: HasRunState): NormalState {
  const legacy = item.state;
  const message = legacy?.state_message || item.status?.termination_details?.message || undefined;
  if (legacy?.life_cycle_state) {
    return {
      lifeCycle: legacy.life_cycle_state,
      ...(legacy.result_state ? { result: legacy.result_state } : {}),
      ...(message ? { message } : {}),
    };
  }
  const v2 = item.status?.state;
  const lifeCycle = v2 ? (FROM_V2_STATE[v2] ?? v2) : 'PENDING';
  const code = item.status?.termination_details?.code;
  let result: string | undefined;
  if (lifeCycle === 'TERMINATED' && code) {
    // Any other code names what went wrong (RUN_EXECUTION_ERROR, CLUSTER_ERROR, ...): the run failed.
    result = FROM_TERMINATION_CODE[code] ?? 'FAILED';
  }
  return { lifeCycle, ...(result ? { result } : {}), ...(message ? { message } : {}) };
}

export function isTerminal(state: NormalState): boolean {
  return TERMINAL.has(state.lifeCycle);
}

export type RunOutcome = 'success' | 'failed' | 'cancelled' | 'timedout';

/**
 * How a finished run ended, for the exit code. SUCCESS_WITH_FAILURES counts as success, as Databricks
 * counts it (the failed tasks were allowed to fail by run_if); the failures are still explained.
 */
export function outcomeOf(state: NormalState): RunOutcome {
  if (state.lifeCycle === 'INTERNAL_ERROR') return 'failed';
  switch (state.result) {
    case 'SUCCESS':
    case 'SUCCESS_WITH_FAILURES':
      return 'success';
    case 'CANCELED':
    case 'UPSTREAM_CANCELED':
      return 'cancelled';
    case 'TIMEDOUT':
      return 'timedout';
    default:
      return 'failed';
  }
}

/** Task results that mean the task itself went wrong (not skipped because of another). */
export function isTaskFailure(result: string | undefined): boolean {
  return result === 'FAILED' || result === 'TIMEDOUT';
}

/** Task results that mean the task never ran because an upstream task failed or was cancelled. */
export function isUpstreamSkip(result: string | undefined): boolean {
  return result === 'UPSTREAM_FAILED' || result === 'UPSTREAM_CANCELED';
}
