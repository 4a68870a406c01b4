// A small typed error set; the CLI maps each to an exit code in one place (src/cli/exit-codes.ts).

/** The user can fix this: bad input, missing configuration. `hint` says how. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A Databricks (or emulated) REST call failed; carries Databricks' error_code and the request that failed. */
export class RemoteApiError extends Error {
  override readonly name = 'RemoteApiError';
  constructor(
    message: string,
    readonly details: {
      status?: number;
      error_code?: string;
      method?: string;
      path?: string;
      request_id?: string;
    },
  ) {
    super(message);
  }
}

/** A job run or pipeline update ended badly; `task` names the task that failed. */
export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  constructor(
    message: string,
    readonly outcome: 'failed' | 'cancelled' | 'timedout',
    readonly task?: string,
  ) {
    super(message);
  }
}

/** An expectation with action `fail` was violated. */
export class ExpectationFailedError extends Error {
  override readonly name = 'ExpectationFailedError';
  constructor(
    message: string,
    readonly dataset: string,
    readonly expectation: string,
    readonly sample: Record<string, unknown>[],
  ) {
    super(message);
  }
}

/** Validation found errors; the diagnostics were already emitted. */
export class DiagnosticsError extends Error {
  override readonly name = 'DiagnosticsError';
  constructor(readonly count: number) {
    super(`${count} error${count === 1 ? '' : 's'} in the bundle definition`);
  }
}
