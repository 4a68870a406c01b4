// `dbx-ts run <job> -t local` the way a workspace target runs a job: started with jobs/run-now on the in-process
// local workspace (whose runs execute on the local engine through the executor `local serve` uses), cancelled with
// runs/cancel (--timeout, Ctrl-C) and read back with runs/get. The run is then in the local workspace's runs/list
// and runs/get (for `local serve` and the SDK), and retries, run_if, timeouts, queueing and cancel are the
// workspace's one scheduler path. Task states are followed through the workspace's run observer rather than by
// polling: this process holds the workspace, so each decision arrives as it is recorded, in order with the engine
// events of the task.
import type { EventSink } from '../events/types.ts';
import type { AttemptOutcome, ControlDetail } from '../jobs/run-tasks.ts';
import type { RunObserver, RunRecord, TaskExecutionResult } from '../emulator/index.ts';
import type { TaskSettings } from '../model/types.ts';
import type { NormalState } from '../run/states.ts';
import type { LocalJobsApi } from './workspace-api.ts';
import { TaskStateReporter, type StepDetail, type TaskOutcome } from './job-runner.ts';
import { taskSummary } from './served/executor.ts';

export interface WorkspaceRunRequest {
  api: LocalJobsApi;
  /** The deployed job's id. */
  jobId: string;
  jobKey: string;
  jobName: string;
  /** The tasks this run executes (the job's, narrowed by `only`), in the bundle's terms. */
  tasks: TaskSettings[];
  /** run-now's `only`, as given. */
  only?: readonly string[];
  /** Job parameters given for this run (the job's declared defaults fill the rest, as on a workspace). */
  params: Record<string, string>;
  /** run-now's pipeline_params.full_refresh: every table the run builds is rebuilt from its sources. */
  fullRefresh?: boolean;
  /** Cancel the run (runs/cancel) after this long. */
  timeoutMs?: number;
  /** Ctrl-C: cancel the run (runs/cancel) and wait for it to stop. */
  signal?: AbortSignal;
  /** The job's timeout_seconds, for the message when it ends the run. */
  timeoutSeconds?: number;
  sink: EventSink;
}

export interface WorkspaceRunResult {
  runId: string;
  /** When run-now was sent. */
  started: number;
  outcomes: TaskOutcome[];
  /** The run's state as runs/get reports it at the end. */
  state: NormalState;
  /** --timeout expired and the run was cancelled for it. */
  timedOut: boolean;
  /** The job's own timeout_seconds ended the run. */
  jobTimedOut: boolean;
}

interface Followed {
  reporter: TaskStateReporter;
  ended: () => void;
  jobTimedOut: boolean;
}

function errorText(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Follows the runs this process starts on its local workspace: the run a `follow` is waiting for (the next run the
 * workspace starts: nothing else starts runs there while this process holds it) and the runs its run-job tasks
 * start, whose task states are lines of the parent's output as on the direct local runner.
 */
export class RunFollower {
  private waiting: ((run: RunRecord) => Followed) | undefined;
  private readonly followed = new Map<string, Followed>();
  private readonly children = new Map<string, TaskStateReporter>();
  /** The job's timeout_seconds per followed run, for the message when it ends the run. */
  private readonly timeouts = new Map<string, number>();

  /** `jobKeys`: the bundle key of each deployed job, by job id (for run-job tasks and their child runs). */
  constructor(
    private readonly sink: EventSink,
    private jobKeys: ReadonlyMap<string, string> = new Map(),
  ) {}

  setJobKeys(keys: ReadonlyMap<string, string>): void {
    this.jobKeys = keys;
  }

  readonly observer: RunObserver = {
    step: (run, step, outcome) => this.reporterOf(run)?.step(step, this.detail(outcome)),
    iteration: (run, { parent, index, step, outcome }) => this.reporterOf(run)?.iteration(parent.key, index, step, outcome && !outcome.ok ? errorText(outcome.error) : undefined),
    timedOut: (run) => {
      const main = this.followed.get(run.run_id.toString());
      if (main) main.jobTimedOut = true;
      this.reporterOf(run)?.runTimedOut(this.timeouts.get(run.run_id.toString()) ?? 0);
    },
    ended: (run) => this.followed.get(run.run_id.toString())?.ended(),
  };


  private detail(outcome: AttemptOutcome<TaskExecutionResult> | undefined): StepDetail | undefined {
    if (!outcome) return undefined;
    const message = outcome.ok ? taskSummary(outcome.value) : undefined;
    return {
      ...(message ? { message } : {}),
      ...(!outcome.ok ? { error: errorText(outcome.error) } : {}),
      ...(outcome.control ? { control: this.inBundleTerms(outcome.control) } : {}),
    };
  }

  /** A run-job task's child job as the bundle names it (`${resources.jobs.<key>.id}`), not by its deployed id. */
  private inBundleTerms(control: ControlDetail): ControlDetail {
    if (control.kind !== 'run_job') return control;
    const key = this.jobKeys.get(control.job_id);
    return key ? { ...control, job_id: `\${resources.jobs.${key}.id}` } : control;
  }

  private reporterOf(run: RunRecord): TaskStateReporter | undefined {
    const id = run.run_id.toString();
    const main = this.followed.get(id);
    if (main) return main.reporter;
    if (this.waiting) {
      const bind = this.waiting;
      this.waiting = undefined;
      return bind(run).reporter;
    }
    let child = this.children.get(id);
    if (!child) {
      const key = this.jobKeys.get(run.job_id.toString()) ?? run.run_name;
      // The child's task states are lines of the parent's output, not rows of its task table.
      const sink: EventSink = (e) => {
        if (e.code !== 'task.state') return this.sink(e);
        this.sink({ code: 'log', level: e.level, message: `Job ${key} (run ${id}): ${e.message}`, data: { ...e.data } });
      };
      child = new TaskStateReporter(id, run.tasks.map((t) => ({ ...t, task_key: String(t['task_key']) }) as TaskSettings), sink);
      this.children.set(id, child);
    }
    return child;
  }

  /** Starts a run with `start` (run-now) and follows it to its end. */
  async run(request: WorkspaceRunRequest, start: () => Promise<string>): Promise<WorkspaceRunResult> {
    const { sink } = request;
    const reporter = (runId: string) => new TaskStateReporter(runId, request.tasks, sink);
    let resolveEnded!: () => void;
    const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
    let followed: Followed | undefined;
    const bind = (runId: string): Followed => {
      followed = { reporter: reporter(runId), ended: resolveEnded, jobTimedOut: false };
      this.followed.set(runId, followed);
      if (request.timeoutSeconds !== undefined) this.timeouts.set(runId, request.timeoutSeconds);
      sink({ code: 'run.started', level: 'info', message: `Running ${request.jobName} (${request.jobKey}) on the local target, run ${runId}`, data: { run_id: runId, job_key: request.jobKey } });
      followed.reporter.pending();
      return followed;
    };
    // Bound at the run's first step (which may come before run-now's response) or at the response.
    this.waiting = (run) => bind(run.run_id.toString());
    const started = Date.now();
    let runId: string | undefined;
    let cancelledBy: 'timeout' | 'signal' | undefined;
    const cancel = (why: 'timeout' | 'signal') => {
      if (cancelledBy) return;
      cancelledBy = why;
      if (runId !== undefined) void this.cancel(request, runId, why);
    };
    const timer = request.timeoutMs !== undefined ? setTimeout(() => cancel('timeout'), request.timeoutMs) : undefined;
    const onAbort = () => cancel('signal');
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      try {
        runId = await start();
      } finally {
        this.waiting = undefined;
      }
      if (!followed) bind(runId);
      if (request.signal?.aborted) cancelledBy = 'signal';
      if (cancelledBy) await this.cancel(request, runId, cancelledBy);
      // A run skipped at once (max_concurrent_runs without a queue) never executes: runs/get says so.
      let state = await request.api.runState(runId);
      if (state.lifeCycle !== 'SKIPPED') {
        await ended;
        state = await request.api.runState(runId);
      }
      return { runId, started, outcomes: followed!.reporter.results(), state, timedOut: cancelledBy === 'timeout', jobTimedOut: followed!.jobTimedOut };
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      if (runId !== undefined) {
        this.followed.delete(runId);
        this.timeouts.delete(runId);
      }
      this.children.clear();
    }
  }

  private async cancel(request: WorkspaceRunRequest, runId: string, why: 'timeout' | 'signal'): Promise<void> {
    const reason = why === 'signal' ? 'Interrupted' : `Timed out after ${formatMs(request.timeoutMs ?? 0)}`;
    request.sink({ code: 'run.cancelling', level: 'warn', message: `${reason}: cancelling run ${runId} and waiting for it to stop`, data: { run_id: runId, reason: why } });
    try {
      await request.api.cancelRun(runId);
    } catch (error) {
      request.sink({ code: 'log', level: 'warn', message: `runs/cancel failed: ${(error as Error).message}`, data: { run_id: runId } });
    }
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
