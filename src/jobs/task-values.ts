// Task values (dbutils.jobs.taskValues) as the Jobs service keeps them (docs.databricks.com/jobs/task-values): a
// task attempt sets values by key, each must be expressible as JSON and its JSON may not exceed 48 KiB; setting a
// key again replaces its value. Downstream tasks read them as {{tasks.<task_key>.values.<key>}}.

/** The documented limit on one value's JSON representation. */
export const TASK_VALUE_MAX_BYTES = 48 * 1024;

/** What a task's code is given to set its task values with. */
export interface TaskValueSetter {
  set(key: string, value: unknown): void;
}

/** The values one task attempt sets. */
export class TaskValues implements TaskValueSetter {
  private readonly values = new Map<string, unknown>();

  constructor(private readonly taskKey: string) {}

  set(key: string, value: unknown): void {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError(`Task "${this.taskKey}": a task value's key must be a non-empty string.`);
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      throw new TypeError(`Task "${this.taskKey}": task value "${key}" cannot be expressed as JSON (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
    }
    if (json === undefined) throw new TypeError(`Task "${this.taskKey}": task value "${key}" cannot be expressed as JSON (it is ${typeof value}).`);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > TASK_VALUE_MAX_BYTES) {
      throw new RangeError(`Task "${this.taskKey}": task value "${key}" is ${bytes} bytes as JSON; a task value may be at most ${TASK_VALUE_MAX_BYTES} bytes (48 KiB).`);
    }
    // A copy as JSON has it: later changes to the caller's object do not change what was set.
    this.values.set(key, JSON.parse(json) as unknown);
  }

  /** The values set so far, by key; undefined when none was set. */
  all(): Record<string, unknown> | undefined {
    return this.values.size === 0 ? undefined : Object.fromEntries(this.values);
  }
}
