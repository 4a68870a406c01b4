// What a workspace that really runs jobs plugs into the emulator: something that executes one attempt of one
// task (a notebook, a pipeline update, a dashboard refresh) and says how it went. `dbx-ts local serve` gives
// one backed by the local engine (src/local/served-runs.ts); the emulator itself only schedules and records.
import type { AttemptOutcome, IterationEvent } from '../jobs/run-tasks.ts';
import type { Step } from '../jobs/task-scheduler.ts';
import type { JsonObject } from './http/json.ts';
import type { FlowScript } from './scenario.ts';
import type { RunRecord, WorkspaceState } from './state.ts';
import type { BlobRef } from './store/blobs.ts';
import type { TaskValueSetter } from '../jobs/task-values.ts';

export interface TaskExecution {
  run: { run_id: bigint; job_id: bigint; run_type: 'JOB_RUN' | 'SUBMIT_RUN'; job_parameters: Record<string, string> };
  /** The task's settings as the run has them (deployed ids and workspace paths). */
  task: JsonObject;
  attempt: number;
  /** Aborts when the attempt times out or the run is cancelled. */
  signal: AbortSignal;
  /** Where the task's code sets its task values (dbutils.jobs.taskValues.set). */
  taskValues?: TaskValueSetter;
  /** The workspace as it is now (read-only for the executor). */
  state: WorkspaceState;
  readContent(ref: BlobRef): Promise<Buffer>;
}

export interface TaskExecutionResult {
  /** What runs/get-output shows as notebook_output.result. */
  notebook_output?: string;
  logs?: string;
  /** A pipeline task's flows, for the update's event log (flow_progress with data-quality metrics). */
  flows?: FlowScript[];
}

/** A task attempt that failed: its message and trace go to runs/get-output. */
export class TaskExecutionError extends Error {
  override readonly name = 'TaskExecutionError';
  constructor(
    message: string,
    readonly details: { trace?: string; logs?: string; flows?: FlowScript[] } = {},
  ) {
    super(message);
  }
}

/** A Pipelines-API update (start-update) of a deployed pipeline, to run as a job's pipeline task would. */
export interface PipelineUpdateExecution {
  pipeline_id: string;
  update_id: string;
  full_refresh: boolean;
  validate_only: boolean;
  refresh_selection: string[];
  full_refresh_selection: string[];
  /** Aborts when the update is stopped. */
  signal: AbortSignal;
  /** The workspace as it is now (read-only for the executor). */
  state: WorkspaceState;
  readContent(ref: BlobRef): Promise<Buffer>;
  /** The update reached a later state. */
  progress(state: 'INITIALIZING' | 'SETTING_UP_TABLES' | 'RUNNING'): void;
}

/**
 * Told of each run's scheduling decisions as they are recorded, in this process (`dbx-ts run -t local` renders
 * them as task states while the run executes, instead of polling runs/get).
 */
export interface RunObserver {
  /** A decision of the scheduler, already written into `run` (read-only for the observer). */
  step?(run: RunRecord, step: Step, outcome?: AttemptOutcome<TaskExecutionResult>): void;
  iteration?(run: RunRecord, event: IterationEvent<TaskExecutionResult>): void;
  /** The job's timeout_seconds ended the run. */
  timedOut?(run: RunRecord, at: number): void;
  /** The run is no longer executing or queued (its record is final until a repair). */
  ended?(run: RunRecord): void;
}

export interface TaskExecutor {
  execute(execution: TaskExecution): Promise<TaskExecutionResult>;
  /** At most this many task attempts of a run execute at once (default: as many as are ready, as on Databricks). */
  parallelism?: number;
  observer?: RunObserver;
  /** Runs a Pipelines-API update; without it, such updates follow the scenario as in a simulated workspace. */
  updatePipeline?(update: PipelineUpdateExecution): Promise<TaskExecutionResult>;
  /** Called once when the workspace stops, after every run has ended. */
  close?(): Promise<void>;
}
