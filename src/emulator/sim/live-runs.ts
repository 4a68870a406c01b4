// Job runs that really execute: the shared scheduler (src/jobs) drives the task executor the workspace was given,
// and every decision is written into the run's record as it happens (and persisted), so runs/get, get-output,
// cancel, repair and the pipeline's updates read the same records as simulated runs do. A job's
// max_concurrent_runs is enforced here: the next queued run starts when an executing one ends. A run-job task
// starts a real run of the other job here (visible in runs/list with its own id) and ends as it does; a for-each
// task's iteration counts are written to its record as iterations end.
import { redact } from '../../redaction/index.ts';
import type { AttemptOutcome, ChildRunResult, ControlDetail, RunJobRequest, TaskTimer } from '../../jobs/run-tasks.ts';
import { runTasks, systemTimer } from '../../jobs/run-tasks.ts';
import type { SchedulableTask, Step } from '../../jobs/task-scheduler.ts';
import type { JsonObject } from '../http/json.ts';
import { isJsonObject } from '../http/json.ts';
import { nextRunId, nextUuid } from '../ids.ts';
import type { JobRecord, RunRecord, TaskAttemptRecord, TaskResult, WorkspaceState } from '../state.ts';
import type { BlobRef } from '../store/blobs.ts';
import { TaskExecutionError, type TaskExecutionResult, type TaskExecutor } from '../task-executor.ts';
import { finishLiveUpdate, startLiveUpdate } from './pipeline-update.ts';
import { stateMessage, taskKeyOf } from './run-plan.ts';
import { cancelRun, finalAttempts, runSummary } from './run-view.ts';
import { recordIteration } from './iterations.ts';
import { resolvedConditionValues, resolvedNotebookValues } from './resolved-values.ts';
import { startRun } from './job-runner.ts';
import { Scenario } from '../scenario.ts';

/** How long the record of an executing run's step may wait to be written (see commitSoon). */
const STEP_COMMIT_MS = 200;

/** A time that has not come yet: the end of an attempt still running, the start of a queued run. */
export const NOT_YET = Number.MAX_SAFE_INTEGER;

export interface LiveRunsOptions {
  state: WorkspaceState;
  executor: TaskExecutor;
  /** Persists the workspace (each change is on disk soon after it happens). */
  commit(): Promise<void>;
  readContent(ref: BlobRef): Promise<Buffer>;
  timer?: TaskTimer;
  /** The workspace's scenario (run-job tasks start their child runs through the same run-now path). */
  scenario?: Scenario;
}

interface Selection {
  tasks: JsonObject[];
  known?: Map<string, TaskResult>;
  knownOutcomes?: Map<string, string>;
  firstAttempt?: (key: string) => number;
  repairId?: bigint;
  /** A repair's for-each tasks: the iterations kept from the run being repaired (index → input). */
  keptIterations?: Map<string, Map<number, unknown>>;
}

function maxConcurrentRuns(job: JobRecord | undefined): number {
  const value = job?.settings['max_concurrent_runs'];
  return typeof value === 'number' ? value : 1;
}

function queueing(job: JobRecord): boolean {
  return isJsonObject(job.settings['queue']) && job.settings['queue']['enabled'] === true;
}

function jobParameters(run: RunRecord): Record<string, string> {
  return Object.fromEntries(run.job_parameters.map((p) => [String(p['name']), String(p['value'] ?? p['default'] ?? '')]));
}

export class LiveRuns {
  private readonly executing = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Who waits for a run to end (a run-job task waiting for its child). */
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly timer: TaskTimer;
  private closed = false;
  private commitQueued = false;

  constructor(private readonly options: LiveRunsOptions) {
    this.timer = options.timer ?? systemTimer;
  }

  now(): number {
    return this.timer.now();
  }

  /**
   * Runs the previous process left executing or queued cannot go on (their work died with it): they end
   * cancelled, saying why.
   */
  recover(): void {
    const now = this.now();
    for (const run of Object.values(this.options.state.runs)) {
      if (!run.live || (!run.executing && run.started_at !== NOT_YET)) continue;
      cancelRun(run, now);
      for (const a of run.attempts) if (a.end_at === now && a.result === 'CANCELED') a.state_message = 'The workspace stopped while this run was active.';
      delete run.executing;
    }
  }

  /** A new run (already in the state): starts now, waits in the job's queue, or is skipped. */
  admit(run: RunRecord, job: JobRecord, tasks: JsonObject[], oneTime: boolean): void {
    run.live = true;
    const now = run.created_at;
    for (const t of tasks) run.attempts.push(this.placeholder(run, taskKeyOf(t), 0, now, NOT_YET));
    const limit = maxConcurrentRuns(job);
    const busy = this.executingRuns(job.job_id).length;
    if (oneTime || busy < limit) {
      run.started_at = now;
      this.launch(run, { tasks });
    } else if (queueing(job)) {
      run.started_at = NOT_YET;
      run.queue_reason = 'MAX_CONCURRENT_RUNS_REACHED';
    } else {
      run.attempts = [];
      run.skipped = { message: `Skipping this run because the limit of ${limit} maximum concurrent runs has been reached.` };
      run.started_at = now;
    }
  }

  /** Re-runs `tasks` of a finished run; the others keep their results. */
  repair(run: RunRecord, selection: Required<Pick<Selection, 'known' | 'knownOutcomes' | 'firstAttempt' | 'repairId'>> & Selection, now: number): TaskAttemptRecord[] {
    const placeholders = selection.tasks.map((t) => this.placeholder(run, taskKeyOf(t), selection.firstAttempt(taskKeyOf(t)), now, NOT_YET, selection.repairId));
    run.attempts.push(...placeholders);
    this.launch(run, selection);
    return placeholders;
  }

  isActive(run: RunRecord): boolean {
    return run.live === true && (run.executing === true || run.started_at === NOT_YET);
  }

  cancel(run: RunRecord, now: number): void {
    const active = this.executing.get(run.run_id.toString());
    if (active) {
      run.cancelled_at = now;
      active.controller.abort();
    } else if (run.started_at === NOT_YET) {
      cancelRun(run, now);
      this.ended(run);
    }
  }

  /** Resolves once `run` is no longer executing or queued. */
  private whenEnded(run: RunRecord): Promise<void> {
    if (!this.isActive(run)) return Promise.resolve();
    return new Promise((resolve) => {
      const key = run.run_id.toString();
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), resolve]);
    });
  }

  private ended(run: RunRecord): void {
    this.options.executor.observer?.ended?.(run);
    const key = run.run_id.toString();
    const waiting = this.waiters.get(key) ?? [];
    this.waiters.delete(key);
    for (const resolve of waiting) resolve();
  }

  /**
   * A run-job task: a run of the job `request.jobId` starts as run-now starts one (queued or skipped by that job's
   * max_concurrent_runs), and the task waits for it; cancelling the task cancels it.
   */
  private async runChild(parent: RunRecord, request: RunJobRequest<SchedulableTask>, signal: AbortSignal): Promise<ChildRunResult> {
    const { state } = this.options;
    const job = /^\d+$/.test(request.jobId) ? state.jobs[request.jobId] : undefined;
    if (!job) throw new TaskExecutionError(`Job ${request.jobId} does not exist.`);
    // The task run that starts the child (absent for a run-job task nested in a for-each).
    const record = parent.attempts.find((a) => a.task_key === request.task.task_key && a.end_at === NOT_YET && a.running_at !== NOT_YET);
    const child = startRun(
      { state, scenario: this.options.scenario ?? new Scenario(), now: this.now(), live: this },
      job,
      { ...(request.jobParameters ? { jobParameters: request.jobParameters } : {}), ...(record ? { triggeredBy: record.run_id } : {}) },
      parent.creator_user_name,
    );
    request.started?.(child.run_id.toString());
    // get-output shows the child's run id on the task while the child runs.
    if (record) record.control = { child_run_id: child.run_id };
    this.commitSoon();
    const cancel = () => this.cancel(child, this.now());
    signal.addEventListener('abort', cancel, { once: true });
    try {
      await this.whenEnded(child);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
    const summary = runSummary(child, this.now());
    return { run_id: child.run_id.toString(), result: summary.result_state ?? 'FAILED', ...(summary.state_message ? { message: summary.state_message } : {}) };
  }

  /**
   * Persists a step of an executing run soon, at most once per STEP_COMMIT_MS: each write serialises the whole state,
   * and steps come in bursts (a task ends, its dependents start, others are skipped). Nothing is lost that a restart
   * would keep: a run still executing when its process dies is ended by recover() anyway, and a run's end is
   * written at once (launch).
   */
  private commitSoon(): void {
    if (this.commitQueued) return;
    this.commitQueued = true;
    setTimeout(() => {
      this.commitQueued = false;
      void this.options.commit().catch(() => {});
    }, STEP_COMMIT_MS).unref();
  }

  /** Cancels what is executing and waits for it; queued runs stay queued (see recover). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.executing.values()];
    for (const r of all) r.controller.abort();
    await Promise.allSettled(all.map((r) => r.done));
    await this.options.executor.close?.();
  }

  private executingRuns(jobId: bigint): RunRecord[] {
    return Object.values(this.options.state.runs).filter((r) => r.job_id === jobId && r.live && r.executing);
  }

  private placeholder(run: RunRecord, key: string, attempt: number, visibleAt: number, readyAt: number, repairId?: bigint): TaskAttemptRecord {
    return {
      run_id: nextRunId(this.options.state),
      task_key: key,
      attempt_number: attempt,
      ...(repairId !== undefined ? { repair_id: repairId } : {}),
      visible_at: visibleAt,
      ready_at: readyAt,
      running_at: NOT_YET,
      end_at: NOT_YET,
      result: 'SUCCESS',
      skipped: false,
      state_message: '',
      output: {},
    };
  }

  private launch(run: RunRecord, selection: Selection): void {
    run.executing = true;
    const controller = new AbortController();
    const { state, executor } = this.options;
    const observer = executor.observer;
    // The job's timeout_seconds bounds the run (a repair is not bounded by the original run's clock).
    const timeoutSeconds = Number(state.jobs[run.job_id.toString()]?.settings['timeout_seconds'] ?? 0);
    const runDeadline = selection.repairId === undefined && timeoutSeconds > 0 ? run.started_at + timeoutSeconds * 1000 : undefined;
    const iterationKeys = new Set(selection.tasks.flatMap((t) => (isJsonObject(t['for_each_task']) && isJsonObject(t['for_each_task']['task']) ? [String(t['for_each_task']['task']['task_key'])] : [])));
    const done = runTasks<SchedulableTask, TaskExecutionResult>({
      tasks: selection.tasks as unknown as SchedulableTask[],
      ...(selection.known ? { known: selection.known } : {}),
      ...(selection.knownOutcomes ? { knownOutcomes: selection.knownOutcomes } : {}),
      ...(selection.firstAttempt ? { firstAttempt: selection.firstAttempt } : {}),
      timer: this.timer,
      signal: controller.signal,
      ...(executor.parallelism !== undefined ? { parallelism: executor.parallelism } : {}),
      ...(runDeadline !== undefined ? { runDeadline } : {}),
      onRunTimeout: (at) => {
        run.timed_out_at = at;
        observer?.timedOut?.(run, at);
      },
      references: {
        job: { id: run.job_id.toString(), name: run.run_name, run_id: run.run_id.toString(), parameters: jobParameters(run) },
        // A repair reads the tasks it does not run again (result, run id, task values) from their records.
        task: (key) => {
          const a = finalAttempts(run.attempts).get(key);
          if (!a || a.end_at === NOT_YET) return undefined;
          return { result_state: a.result, run_id: a.run_id.toString(), ...(a.task_values ? { values: a.task_values } : {}) };
        },
      },
      ...(selection.keptIterations ? { keptIterations: (key: string) => selection.keptIterations?.get(key) } : {}),
      runJob: (request, signal) => this.runChild(run, request, signal),
      onIteration: (event) => {
        observer?.iteration?.(run, event);
        const record = this.attempt(run, event.parent.key, event.parent.attempt, selection.repairId);
        if (!record) return;
        recordIteration(state, record, event, (e) => outputOf(e.step.kind === 'end' ? e.step.result : 'CANCELED', e.outcome));
        this.commitSoon();
      },
      execute: (task, attempt, signal, taskValues) => {
        // A task of the job (not a for-each iteration, which runs as its nested task's key) keeps what it resolved.
        const record = iterationKeys.has(task.task_key) ? undefined : this.attempt(run, task.task_key, attempt, selection.repairId);
        const resolved = resolvedNotebookValues(task as unknown as JsonObject);
        if (record && resolved) record.resolved_values = resolved;
        return executor.execute({
          run: { run_id: run.run_id, job_id: run.job_id, run_type: run.run_type ?? 'JOB_RUN', job_parameters: jobParameters(run) },
          // The task as the scheduler gives it: references resolved, a for-each iteration's input filled in.
          task: task as unknown as JsonObject,
          attempt,
          signal,
          taskValues,
          state,
          readContent: this.options.readContent,
        });
      },
      onStep: (step, outcome) => {
        this.apply(run, step, outcome, selection.repairId);
        observer?.step?.(run, step, outcome);
        this.commitSoon();
      },
    })
      .catch((error: unknown) => {
        // A bug in scheduling, not a task failure: end what is open so the run does not hang.
        const at = this.now();
        for (const a of run.attempts) {
          if (a.end_at !== NOT_YET) continue;
          Object.assign(a, { end_at: at, running_at: Math.min(a.running_at, at), result: 'FAILED', state_message: `Internal error: ${(error as Error).message}` });
        }
      })
      .then(async () => {
        delete run.executing;
        this.executing.delete(run.run_id.toString());
        this.ended(run);
        if (!this.closed) this.startQueued(run.job_id);
        await this.options.commit().catch(() => {});
      });
    this.executing.set(run.run_id.toString(), { controller, done });
  }

  /** The oldest queued runs of the job start while the job has room. */
  private startQueued(jobId: bigint): void {
    const job = this.options.state.jobs[jobId.toString()];
    const queued = Object.values(this.options.state.runs)
      .filter((r) => r.job_id === jobId && r.live && r.started_at === NOT_YET && r.cancelled_at === undefined)
      .sort((a, b) => a.created_at - b.created_at || (a.run_id < b.run_id ? -1 : 1));
    for (const run of queued) {
      if (this.executingRuns(jobId).length >= maxConcurrentRuns(job)) return;
      run.started_at = this.now();
      const keys = new Set(run.attempts.map((a) => a.task_key));
      this.launch(run, { tasks: run.tasks.filter((t) => keys.has(taskKeyOf(t))) });
    }
  }

  private attempt(run: RunRecord, key: string, attempt: number, repairId: bigint | undefined): TaskAttemptRecord | undefined {
    return run.attempts.find((a) => a.task_key === key && a.attempt_number === attempt && a.repair_id === repairId);
  }

  private apply(run: RunRecord, step: Step, outcome: AttemptOutcome<TaskExecutionResult> | undefined, repairId: bigint | undefined): void {
    const { state } = this.options;
    if (step.kind === 'skip') {
      const record = run.attempts.find((a) => a.task_key === step.key && a.repair_id === repairId && a.end_at === NOT_YET);
      if (record) Object.assign(record, { skipped: true, ready_at: step.at, running_at: step.at, end_at: step.at, result: step.result, state_message: step.message });
      return;
    }
    const record = this.attempt(run, step.key, step.attempt, repairId);
    if (!record) return;
    const task = run.tasks.find((t) => taskKeyOf(t) === step.key);
    if (step.kind === 'start') {
      record.ready_at = step.readyAt;
      record.running_at = step.at;
      const pipelineTask = isJsonObject(task?.['pipeline_task']) ? task['pipeline_task'] : undefined;
      const pipeline = pipelineTask ? state.pipelines[String(pipelineTask['pipeline_id'])] : undefined;
      if (pipeline && pipelineTask) {
        const update = startLiveUpdate(pipeline, nextUuid(state), step.at, pipelineTask['full_refresh'] === true, () => nextUuid(state));
        record.pipeline_update = { pipeline_id: pipeline.pipeline_id, update_id: update.update_id };
      }
      return;
    }
    record.end_at = step.at;
    record.running_at = Math.min(record.running_at, step.at);
    record.result = step.result;
    record.output = outputOf(step.result, outcome);
    if (outcome?.control) record.control = { ...controlRecord(outcome.control), ...(record.control?.iterations ? { iterations: record.control.iterations } : {}) };
    if (outcome?.values) record.task_values = outcome.values;
    if (outcome?.control?.kind === 'condition') record.resolved_values = resolvedConditionValues(outcome.control.left, outcome.control.right);
    record.state_message = step.result === 'CANCELED' ? 'Run cancelled.' : stateMessage(step.result);
    const ref = record.pipeline_update;
    const update = ref ? state.pipelines[ref.pipeline_id]?.updates.find((u) => u.update_id === ref.update_id) : undefined;
    if (ref && update) {
      const pipeline = state.pipelines[ref.pipeline_id]!;
      const flows = outcome?.ok ? outcome.value?.flows : outcome?.error instanceof TaskExecutionError ? outcome.error.details.flows : undefined;
      const result = step.result === 'SUCCESS' ? 'COMPLETED' : step.result === 'CANCELED' ? 'CANCELED' : 'FAILED';
      finishLiveUpdate(pipeline, update, step.at, result, flows ?? [], record.output.error, () => nextUuid(state));
    }
    if (step.retryAt !== undefined) run.attempts.push(this.placeholder(run, step.key, step.attempt + 1, step.at, step.retryAt, repairId));
  }
}

function controlRecord(control: ControlDetail): TaskAttemptRecord['control'] {
  if (control.kind === 'condition') return { condition_outcome: control.outcome };
  if (control.kind === 'for_each') return { for_each_stats: control.stats };
  return control.run_id !== undefined ? { child_run_id: BigInt(control.run_id) } : {};
}

function outputOf(result: TaskResult, outcome: AttemptOutcome<TaskExecutionResult> | undefined) {
  if (outcome?.ok) {
    const { notebook_output, logs } = outcome.value ?? {};
    return { ...(notebook_output !== undefined ? { notebook_output } : {}), ...(logs !== undefined ? { logs } : {}) };
  }
  if (result === 'TIMEDOUT') return { error: 'Task timed out.' };
  if (result === 'CANCELED') return { error: 'Run cancelled.' };
  const error = outcome?.error;
  const details = error instanceof TaskExecutionError ? error.details : {};
  const message = error instanceof Error ? error.message : String(error);
  const trace = details.trace ?? (error instanceof Error ? error.stack : undefined);
  // Error texts come from user code and engines, and can quote a secret: the state is a file on disk.
  return {
    error: redact(message),
    ...(trace !== undefined ? { error_trace: redact(trace) } : {}),
    ...(details.logs !== undefined ? { logs: redact(details.logs) } : {}),
  };
}
