// `dbx-ts run <job> -t local`: build the bundle, deploy it to the local workspace, simulate data if the landing
// zone is empty and the bundle has a simulator, say where landing files go, run the job there with run-now (its
// tasks execute on DuckDB, workspace-run.ts), then show the bundle's result views.
import { redact } from '../redaction/index.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DbxEvent, EventSink } from '../events/types.ts';
import { RunFailedError, UserError } from '../errors/index.ts';
import type { BundleModel, TableModel, TaskSettings } from '../model/types.ts';
import { emptyExtensions, type Extensions } from '../extensions/registry.ts';
import { showViewsAfterRun } from '../run/result-views.ts';
import { runSimulator, simulatorVolume, withDefaults } from '../run/simulator.ts';
import { synthBundle } from '../synth/index.ts';
import { writeBundleFiles } from '../synth/write.ts';
import { createLocalCatalogObjects } from './catalog-objects.ts';
import { resolveVariables } from '../deploy/interpolate.ts';
import { localDatabases, type LocalDatabases } from './databases.ts';
import { untakenFiles, watchLanding } from './engine/continuous.ts';
import { volumeToLocalPath, type UpdateResult } from './engine/index.ts';
import { isFailure, type TaskOutcome } from './job-runner.ts';
import { openWorkspaceSession, type WorkspaceSession } from './workspace-session.ts';
import { selectTasks } from '../jobs/task-scheduler.ts';
import { selectOnly } from '../model/only-tasks.ts';
import { jobTables, landingSources, type LandingSource } from './landing.ts';
import { localPaths, type LocalPaths } from './paths.ts';
import { jobParameterValues } from './task-parameters.ts';

export interface LocalRunOptions {
  model: BundleModel;
  projectRoot: string;
  jobKey: string;
  env: NodeJS.ProcessEnv;
  sink: EventSink;
  signal?: AbortSignal;
  /** What the bundle plugs in: local notebook implementations, its simulator, result views. */
  extensions?: Extensions;
  /** Job parameters (`--param name=value`), overriding the job's declared defaults. */
  params?: Record<string, string>;
  /** Show the bundle's result views after a successful run (default true). */
  showResults?: boolean;
  /** After the run, run the job's tasks again whenever new landing files arrive, until the signal aborts. */
  continuous?: boolean;
  /** Cancel the run after this long (the job's tasks stop; exit: timed out). */
  timeoutMs?: number;
  /** Run only these tasks of the job (as run-now's `only`, with its `+key` / `key+` modifiers). */
  only?: readonly string[];
  /** Rebuild every table of the job from its sources and refresh summaries and dashboards even if nothing changed. */
  fullRefresh?: boolean;
}

export interface LocalRunResult {
  run_id: string;
  outcomes: TaskOutcome[];
  history_file: string;
  /** The table updates of the run's pipeline and notebook tasks, by pipeline name or task key. */
  updates: UpdateResult[];
}

export async function runLocalJob(opts: LocalRunOptions): Promise<LocalRunResult> {
  const { model, sink } = opts;
  const extensions = opts.extensions ?? emptyExtensions();
  const job = model.resources.jobs[opts.jobKey];
  if (!job) {
    const keys = Object.keys(model.resources.jobs);
    throw new UserError(`No job "${opts.jobKey}" in bundle "${model.bundle.name}".`, `Jobs: ${keys.join(', ') || '(none)'}.`);
  }
  // Notebook widgets and task parameters take plain values; complex variables only fill whole settings.
  const variables = Object.fromEntries(Object.entries(resolveVariables(model, { env: opts.env })).filter((e): e is [string, string | number | boolean] => typeof e[1] !== 'object'));
  // Checked here for a clear error naming the parameter; the run itself gets the given ones, as run-now does.
  const jobParameters = jobParameterValues(opts.jobKey, job.settings, opts.params ?? {}, variables);
  let selected: TaskSettings[];
  try {
    // `+key` / `key+` (run-now's modifiers) expanded as the workspace's run-now expands them.
    selected = selectTasks(job.settings.tasks, opts.only ? [...selectOnly(job.settings.tasks, opts.only)] : undefined);
  } catch (error) {
    throw new UserError(`--only: ${(error as Error).message}.`, `Tasks: ${job.settings.tasks.map((t) => t.task_key).join(', ')}.`);
  }
  // Checked before the first run: a job with nothing to watch is refused at once, not after a whole run.
  const watched = opts.continuous ? watchedTables(opts.model, selected) : undefined;
  const paths = localPaths(opts.projectRoot, opts.env);
  const files = synthBundle(model, { repoRoot: opts.projectRoot });
  await writeBundleFiles(paths.bundle, files);

  const databases = localDatabases(paths.database);
  const updates = new Map<string, UpdateResult>();
  try {
    const session = await openWorkspaceSession(opts, files, paths, { databases, updates, extensions });
    try {
      // The schemas and volumes the bundle declares, as deploy creates them in Unity Catalog.
      const elsewhere = await createLocalCatalogObjects(await databases.get(model.catalog), model, paths.volumes);
      if (elsewhere.length > 0) {
        sink({ code: 'log', level: 'warn', message: `Not created locally (the local engine holds catalog ${model.catalog} only): ${elsewhere.join(', ')}`, data: { skipped: elsewhere } });
      }
      await prepareLanding(opts, extensions, paths, job.settings.tasks);
      const jobId = session.jobIds.get(opts.jobKey);
      if (jobId === undefined) throw new UserError(`The local workspace has no job "${opts.jobKey}" deployed from this bundle.`, 'Run `dbx-ts deploy -t local` and try again.');
      const timeoutSeconds = typeof job.settings['timeout_seconds'] === 'number' ? job.settings['timeout_seconds'] : undefined;
      let fullRefresh = opts.fullRefresh === true;
      const runOnce = async () => {
        const run = await runJobOnce({ opts, session, jobId, jobName: job.settings.name, tasks: selected, jobParameters, paths, fullRefresh, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) });
        // --full-refresh-all rebuilds once; the runs continuous mode starts later refresh only what changed.
        fullRefresh = false;
        return run;
      };
      const first = await runOnce();
      // Continuous mode reports a failed first run and keeps watching: a corrected file may come next.
      if (!watched || first.cancelled) throwIfFailed(first, opts.timeoutMs, timeoutSeconds);

      if ((opts.showResults ?? true) && first.failed.length === 0) {
        const db = await databases.get(model.catalog);
        await showViewsAfterRun(extensions.resultViews, () => db.openSqlClient(), { model, sink });
      }
      if (watched) await keepFresh(opts, databases, paths.volumes, watched, runOnce, first);
      return { run_id: first.runId, outcomes: first.outcomes, history_file: first.historyFile, updates: [...updates.values()] };
    } finally {
      await session.close();
    }
  } finally {
    await databases.close();
  }
}

interface JobRun {
  runId: string;
  outcomes: TaskOutcome[];
  historyFile: string;
  failed: TaskOutcome[];
  cancelled: boolean;
  /** `--timeout` expired. */
  timedOut: boolean;
  /** The job's own timeout_seconds expired. */
  jobTimedOut: boolean;
}

interface RunJobOnce {
  opts: LocalRunOptions;
  session: WorkspaceSession;
  jobId: string;
  jobName: string;
  /** The tasks the run executes (the job's, narrowed by --only). */
  tasks: TaskSettings[];
  jobParameters: Record<string, string>;
  paths: LocalPaths;
  fullRefresh: boolean;
  /** The job's timeout_seconds: the whole run ends TIMEDOUT after it. */
  timeoutSeconds?: number;
}

/** One run of the job on the local workspace: its events, its history file, and what failed (reported, not thrown). */
async function runJobOnce(r: RunJobOnce): Promise<JobRun> {
  const { opts, session, paths, jobParameters } = r;
  const sink = opts.sink;
  const { api } = session;
  const params = opts.params ?? {};
  const run = await session.follower.run(
    {
      api,
      jobId: r.jobId,
      jobKey: opts.jobKey,
      jobName: r.jobName,
      tasks: r.tasks,
      params,
      sink,
      ...(opts.only ? { only: opts.only } : {}),
      ...(r.fullRefresh ? { fullRefresh: true } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(r.timeoutSeconds !== undefined ? { timeoutSeconds: r.timeoutSeconds } : {}),
    },
    () =>
      api.runNow({
        job_id: r.jobId,
        ...(Object.keys(params).length > 0 ? { job_parameters: params } : {}),
        ...(opts.only && opts.only.length > 0 ? { only: [...opts.only] } : {}),
        ...(r.fullRefresh ? { pipeline_params: { full_refresh: true } } : {}),
      }),
  );
  const { runId, outcomes } = run;
  const failed = outcomes.filter((o) => isFailure(o.result));
  const cancelled = run.state.result === 'CANCELED' || outcomes.some((o) => o.result === 'CANCELED');
  const result = run.jobTimedOut ? 'TIMEDOUT' : failed.length > 0 ? 'FAILED' : cancelled ? 'CANCELED' : (run.state.result ?? run.state.lifeCycle);
  await mkdir(paths.runs, { recursive: true });
  const historyFile = join(paths.runs, `${runId}.json`);
  const history = { run_id: runId, job_key: opts.jobKey, result, started: run.started, ended: Date.now(), ...(Object.keys(jobParameters).length > 0 ? { job_parameters: jobParameters } : {}), outcomes };
  await writeFile(historyFile, redact(`${JSON.stringify(history, null, 2)}\n`));
  sink({ code: 'run.finished', level: result === 'SUCCESS' ? 'info' : 'error', message: `Run ${runId} ${result}`, data: { run_id: runId, result, duration_ms: Date.now() - run.started } });
  if (run.state.lifeCycle === 'SKIPPED' && run.state.message) sink({ code: 'log', level: 'error', message: run.state.message, data: { run_id: runId } });

  for (const f of failed) {
    const skipped = outcomes.filter((o) => o.result === 'UPSTREAM_FAILED').map((o) => o.task_key);
    sink({
      code: 'log',
      level: 'error',
      message: `Task ${f.task_key} failed: ${f.error ?? 'unknown error'}${skipped.length ? `\n  skipped because of it: ${skipped.join(', ')}` : ''}\n  run history: ${historyFile}`,
      data: { task_key: f.task_key },
    });
  }
  return { runId, outcomes, historyFile, failed, cancelled: cancelled || run.state.lifeCycle === 'SKIPPED', timedOut: run.timedOut, jobTimedOut: run.jobTimedOut };
}

function throwIfFailed(run: JobRun, timeoutMs: number | undefined, timeoutSeconds: number | undefined): void {
  if (run.jobTimedOut) throw new RunFailedError(`The run timed out after ${String(timeoutSeconds)} s (the job's timeout_seconds)`, 'timedout');
  if (run.failed.length > 0) throw new RunFailedError(`Task ${run.failed[0]!.task_key} failed`, 'failed', run.failed[0]!.task_key);
  if (run.cancelled && run.timedOut) throw new RunFailedError(`The run timed out after ${timeoutMs} ms and was cancelled`, 'timedout');
  if (run.cancelled) throw new RunFailedError('The run was cancelled', 'cancelled');
}

/**
 * Before the tasks run: an empty landing zone is filled by the bundle's simulator (if it has one), and each files
 * source still without files is named with the folder its files go to.
 */
export async function prepareLanding(
  opts: Pick<LocalRunOptions, 'model' | 'sink' | 'signal' | 'env'>,
  extensions: Extensions,
  paths: LocalPaths,
  tasks: TaskSettings[],
): Promise<void> {
  let sources = landingSources(opts.model, tasks, paths);
  const simulator = extensions.simulator;
  if (simulator && sources.length > 0 && sources.every((s) => s.files === 0)) {
    const volume = simulatorVolume(opts.model, simulator);
    const dir = volumeToLocalPath(volume, paths.volumes);
    opts.sink({ code: 'log', level: 'info', message: `Landing zone is empty: simulating data into ${dir}`, data: { dir, volume } });
    const done = await runSimulator(simulator, {
      dir,
      volume,
      catalog: opts.model.catalog,
      model: opts.model,
      options: withDefaults(simulator, simulator.props.first_run ?? {}),
      fileWritten: async () => {},
      sink: opts.sink,
      signal: opts.signal ?? new AbortController().signal,
      env: opts.env,
    });
    if (done) opts.sink({ code: 'log', level: 'info', message: done, data: {} });
    sources = landingSources(opts.model, tasks, paths);
  }
  for (const source of sources.filter((s) => s.files === 0)) opts.sink(noFilesYet(source));
}

function noFilesYet(source: LandingSource): DbxEvent {
  return {
    code: 'log',
    level: 'info',
    message: `No files yet for ${source.table}: put ${source.format} files in ${source.localDir} (the local folder of ${source.volumeDir})`,
    data: { table: source.table, volume_dir: source.volumeDir, local_dir: source.localDir },
  };
}

interface WatchedTables {
  tasks: TaskSettings[];
  /** The tables of those tasks that read landing files. */
  tables: TableModel[];
}

function watchedTables(model: BundleModel, tasks: TaskSettings[]): WatchedTables {
  const tables = jobTables(model, tasks).filter((t) => t.source?.type === 'files');
  if (tables.length === 0) throw new UserError('--continuous: no task of the job reads landing files (an Auto Loader source), so there is nothing to watch.');
  return { tasks, tables };
}

/**
 * `run --continuous`: like a continuous DLT pipeline, but for the whole job. Each time new files land in a folder
 * one of its tasks reads through Auto Loader, the job's tasks run again (bronze, silver, gold, the summary and
 * the dashboard), one run at a time, until Ctrl-C. A failed run is reported and the job waits for the next new
 * file rather than failing again on the same ones.
 */
async function keepFresh(opts: LocalRunOptions, databases: LocalDatabases, volumes: string, watched: WatchedTables, runOnce: () => Promise<JobRun>, first: JobRun): Promise<void> {
  const signal = opts.signal;
  if (!signal) throw new UserError('--continuous needs a way to stop (an abort signal).');
  const { tasks, tables } = watched;
  const folders = [...new Set(landingSources(opts.model, tasks, localPaths(opts.projectRoot, opts.env)).map((s) => s.volumeDir))];
  opts.sink({ code: 'log', level: 'info', message: `Watching the landing zone for new files (Ctrl-C to stop): ${folders.join(', ')}`, data: { folders } });
  const db = await databases.get(opts.model.catalog);
  const where = { catalog: opts.model.catalog, landingRoot: volumes };
  // After a failed run, the files still untaken: the same ones again do not start another run.
  const untakenAfter = async (run: JobRun) => (run.failed.length > 0 ? (await untakenFiles(db, tables, where)).join('\n') : undefined);
  let failedOn = await untakenAfter(first);
  let waitingSaid = false;
  await watchLanding(db, tables, {
    ...where,
    signal,
    onNewFiles: async (files) => {
      if (files.join('\n') === failedOn) {
        if (!waitingSaid) opts.sink({ code: 'log', level: 'info', message: 'The last run failed on the landing files waiting; the job runs again when a new file lands.', data: { files } });
        waitingSaid = true;
        return;
      }
      opts.sink({ code: 'continuous.trigger', level: 'info', message: `New landing file${files.length === 1 ? '' : 's'}: ${files.join(', ')}`, data: { files } });
      const run = await runOnce();
      failedOn = await untakenAfter(run);
      waitingSaid = false;
    },
  });
  opts.sink({ code: 'log', level: 'info', message: 'Stopped watching the landing zone.', data: {} });
}
