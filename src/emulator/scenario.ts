// The script for simulated runs: how long tasks take and how they end, keyed by task_key, and what a
// pipeline update reports (flows, expectation metrics, failure). Plain data underneath, so it can also
// be loaded from JSON. A run's timeline is fixed when it starts: script first, then call run-now.

export type ScriptedTaskResult = 'SUCCESS' | 'FAILED' | 'TIMEDOUT';

export interface TaskOutcome {
  result?: ScriptedTaskResult;
  /** runs/get-output `error` (failed tasks). */
  error?: string;
  /** runs/get-output `error_trace` (failed tasks). */
  error_trace?: string;
  /** Task state_message; failed tasks default to Databricks' generic pointer at the run output. */
  state_message?: string;
  /** runs/get-output `notebook_output.result` (dbutils.notebook.exit value). */
  notebook_output?: string;
  logs?: string;
}

export interface TaskDurations {
  /** Cluster and context setup: PENDING. */
  pendingMs?: number;
  /** Execution: RUNNING. */
  runningMs?: number;
}

export interface ExpectationScript {
  name: string;
  /** Defaults to the flow's dataset. */
  dataset?: string;
  passed_records: number;
  failed_records: number;
}

export interface FlowScript {
  name: string;
  /** Defaults to the flow name. */
  dataset?: string;
  output_records?: number;
  dropped_records?: number;
  expectations?: ExpectationScript[];
  /** The flow fails with this message, and so does the update. */
  error?: string;
}

export interface PipelineScript {
  flows?: FlowScript[];
  result?: 'COMPLETED' | 'FAILED';
  error?: string;
  /** Length of an update started through the Pipelines API (job tasks use the task's duration). */
  durationMs?: number;
}

export interface ScenarioData {
  defaults: { queuedMs: number; pendingMs: number; runningMs: number; pipelineMs: number };
  /** task_key → outcomes per attempt (the last repeats) and durations. */
  tasks: Record<string, { outcomes?: TaskOutcome[]; durations?: TaskDurations }>;
  /** Pipeline name or id → script. */
  pipelines: Record<string, PipelineScript>;
}

/** Short defaults so a CLI polling on the real clock sees runs finish within a poll or two. */
export function defaultScenarioData(): ScenarioData {
  return {
    defaults: { queuedMs: 0, pendingMs: 20, runningMs: 60, pipelineMs: 80 },
    tasks: {},
    pipelines: {},
  };
}

/** Scenario data as written by hand or loaded from JSON: every part optional. */
export interface ScenarioInput {
  defaults?: Partial<ScenarioData['defaults']>;
  tasks?: ScenarioData['tasks'];
  pipelines?: ScenarioData['pipelines'];
}

export class Scenario {
  data: ScenarioData;

  constructor(input: ScenarioInput = {}) {
    const base = defaultScenarioData();
    this.data = {
      defaults: { ...base.defaults, ...input.defaults },
      tasks: structuredClone(input.tasks ?? {}),
      pipelines: structuredClone(input.pipelines ?? {}),
    };
  }

  /** How a task ends; an array scripts successive attempts (retries, repairs), the last one repeating. */
  taskOutcome(taskKey: string, outcome: TaskOutcome | TaskOutcome[]): this {
    const entry = (this.data.tasks[taskKey] ??= {});
    entry.outcomes = Array.isArray(outcome) ? outcome : [outcome];
    return this;
  }

  taskDuration(taskKey: string, durations: TaskDurations): this {
    const entry = (this.data.tasks[taskKey] ??= {});
    entry.durations = { ...entry.durations, ...durations };
    return this;
  }

  defaults(defaults: Partial<ScenarioData['defaults']>): this {
    this.data.defaults = { ...this.data.defaults, ...defaults };
    return this;
  }

  /** What updates of a pipeline (by name or id) report. */
  pipeline(nameOrId: string, script: PipelineScript): this {
    this.data.pipelines[nameOrId] = script;
    return this;
  }

  reset(): this {
    this.data = defaultScenarioData();
    return this;
  }

  outcomeFor(taskKey: string, attempt: number): TaskOutcome {
    const outcomes = this.data.tasks[taskKey]?.outcomes;
    if (!outcomes || outcomes.length === 0) return {};
    return outcomes[Math.min(attempt, outcomes.length - 1)] ?? {};
  }

  durationsFor(taskKey: string): Required<TaskDurations> {
    const own = this.data.tasks[taskKey]?.durations;
    return {
      pendingMs: own?.pendingMs ?? this.data.defaults.pendingMs,
      runningMs: own?.runningMs ?? this.data.defaults.runningMs,
    };
  }

  pipelineFor(name: string | undefined, id: string): PipelineScript {
    return this.data.pipelines[id] ?? (name !== undefined ? this.data.pipelines[name] : undefined) ?? {};
  }
}
