// `dbx-ts run <job> -t local`: build the bundle, deploy it to the local workspace, simulate data if the landing
// zone is empty, run the tasks in dependency order on DuckDB, then show what the pipeline produced.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSink } from '../events/types.ts';
import { RunFailedError, UserError } from '../errors/index.ts';
import type { BundleModel, TaskSettings } from '../model/types.ts';
import { synthBundle, type SynthFile } from '../synth/index.ts';
import { writeBundleFiles } from '../synth/write.ts';
import { openLocalDatabase, runContinuous, type LocalDatabase } from './engine/index.ts';
import { createLocalCatalogObjects } from './catalog-objects.ts';
import { runJobTasks, type TaskOutcome } from './job-runner.ts';
import { localPaths } from './paths.ts';
import { showGold, showSummary, tableExists } from './results.ts';
import { loadLocalSecrets } from './secrets.ts';
import { localTaskExecutor, pipelineKeyOf, simulateIfEmpty, type LocalTaskContext } from './tasks.ts';

export interface LocalRunOptions {
  model: BundleModel;
  projectRoot: string;
  jobKey: string;
  env: NodeJS.ProcessEnv;
  sink: EventSink;
  signal?: AbortSignal;
  /** Print gold rows and the summary after a successful run (default true). */
  showResults?: boolean;
  /** After the run, keep the job's pipelines processing new landing files until the signal aborts. */
  continuous?: boolean;
  /** Cancel the run after this long (the job's tasks stop; exit: timed out). */
  timeoutMs?: number;
}

export interface LocalRunResult {
  run_id: string;
  outcomes: TaskOutcome[];
  history_file: string;
}

/** The same plan and apply as a real workspace, against the local workspace emulator's persisted state. */
async function deployToLocalWorkspace(opts: LocalRunOptions, files: SynthFile[]): Promise<void> {
  const { deployBundle, openLocalWorkspace } = await import('../deploy/index.ts');
  const local = await openLocalWorkspace(opts.projectRoot);
  try {
    await deployBundle({
      model: opts.model,
      repoRoot: opts.projectRoot,
      client: local.client,
      creator: local.creator,
      sink: opts.sink,
      env: opts.env,
      files,
      autoApprove: true,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } finally {
    await local.close();
  }
}

export async function runLocalJob(opts: LocalRunOptions): Promise<LocalRunResult> {
  const { model, sink } = opts;
  const job = model.resources.jobs[opts.jobKey];
  if (!job) {
    const keys = Object.keys(model.resources.jobs);
    throw new UserError(`No job "${opts.jobKey}" in bundle "${model.bundle.name}".`, `Jobs: ${keys.join(', ') || '(none)'}.`);
  }
  const paths = localPaths(opts.projectRoot, opts.env);
  const files = synthBundle(model, { repoRoot: opts.projectRoot });
  await writeBundleFiles(paths.bundle, files);
  await deployToLocalWorkspace(opts, files);

  const db = await openLocalDatabase(paths.database, model.catalog);
  const runId = `local-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
  const started = Date.now();
  try {
    // The schemas and volumes the bundle declares, as deploy creates them in Unity Catalog.
    const elsewhere = await createLocalCatalogObjects(db, model, paths.volumes);
    if (elsewhere.length > 0) {
      sink({ code: 'log', level: 'warn', message: `Not created locally (the local engine holds catalog ${model.catalog} only): ${elsewhere.join(', ')}`, data: { skipped: elsewhere } });
    }
    const ctx: LocalTaskContext = {
      model,
      db,
      paths,
      secrets: await loadLocalSecrets(paths.secretsFile, opts.env),
      env: opts.env,
      sink,
      updates: new Map(),
    };
    await simulateIfEmpty(ctx);
    sink({
      code: 'run.started',
      level: 'info',
      message: `Running ${job.settings.name} (${opts.jobKey}) on the local target, run ${runId}`,
      data: { run_id: runId, job_key: opts.jobKey },
    });
    const timeout = opts.timeoutMs !== undefined ? AbortSignal.timeout(opts.timeoutMs) : undefined;
    const signals = [opts.signal, timeout].filter((x): x is AbortSignal => x !== undefined);
    const outcomes = await runJobTasks({
      runId,
      tasks: job.settings.tasks,
      execute: localTaskExecutor(ctx),
      sink,
      ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
    });
    const failed = outcomes.filter((o) => o.result === 'FAILED');
    const cancelled = outcomes.some((o) => o.result === 'CANCELED');
    const result = failed.length > 0 ? 'FAILED' : cancelled ? 'CANCELED' : 'SUCCESS';
    await mkdir(paths.runs, { recursive: true });
    const historyFile = join(paths.runs, `${runId}.json`);
    await writeFile(historyFile, `${JSON.stringify({ run_id: runId, job_key: opts.jobKey, result, started, ended: Date.now(), outcomes }, null, 2)}\n`);
    sink({ code: 'run.finished', level: result === 'SUCCESS' ? 'info' : 'error', message: `Run ${runId} ${result}`, data: { run_id: runId, result, duration_ms: Date.now() - started } });

    for (const f of failed) {
      const skipped = outcomes.filter((o) => o.result === 'UPSTREAM_FAILED').map((o) => o.task_key);
      sink({
        code: 'log',
        level: 'error',
        message: `Task ${f.task_key} failed: ${f.error ?? 'unknown error'}${skipped.length ? `\n  skipped because of it: ${skipped.join(', ')}` : ''}\n  run history: ${historyFile}`,
        data: { task_key: f.task_key },
      });
    }
    if (failed.length > 0) throw new RunFailedError(`Task ${failed[0]!.task_key} failed`, 'failed', failed[0]!.task_key);
    if (cancelled && timeout?.aborted) throw new RunFailedError(`The run timed out after ${opts.timeoutMs} ms and was cancelled`, 'timedout');
    if (cancelled) throw new RunFailedError('The run was cancelled', 'cancelled');

    if (opts.showResults ?? true) {
      const sql = await db.openSqlClient();
      try {
        // The sales lakehouse's results; other bundles' runs end with the task table.
        if (await tableExists(sql, model.catalog, 'gold', 'sales_enriched')) await showGold(sql, model.catalog, sink, 5);
        if (await tableExists(sql, model.catalog, 'gold', 'sales_summary')) await showSummary(sql, model.catalog, sink);
      } finally {
        await sql.close();
      }
    }
    if (opts.continuous) await watchLandingZone(opts, db, paths.volumes, job.settings.tasks);
    return { run_id: runId, outcomes, history_file: historyFile };
  } finally {
    await db.close();
  }
}

/** Like a continuous DLT pipeline: an update within seconds of each new landing file, until Ctrl-C. */
async function watchLandingZone(opts: LocalRunOptions, db: LocalDatabase, volumes: string, tasks: TaskSettings[]): Promise<void> {
  const signal = opts.signal;
  if (!signal) throw new UserError('--continuous needs a way to stop (an abort signal).');
  const pipelines = tasks
    .map((t) => opts.model.resources.pipelines[pipelineKeyOf(t) ?? ''])
    .filter((p): p is NonNullable<typeof p> => p !== undefined);
  if (pipelines.length === 0) throw new UserError('--continuous: the job has no pipeline task to keep running.');
  opts.sink({ code: 'log', level: 'info', message: `Watching the landing zone for new files (Ctrl-C to stop): ${pipelines.map((p) => p.settings.name).join(', ')}`, data: {} });
  await Promise.all(
    pipelines.map((p) =>
      runContinuous(db, p.tables, { catalog: opts.model.catalog, landingRoot: volumes, pipelineName: p.settings.name, sink: opts.sink, signal }),
    ),
  );
  opts.sink({ code: 'log', level: 'info', message: 'Stopped watching the landing zone.', data: {} });
}
