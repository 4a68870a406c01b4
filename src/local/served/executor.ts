// The task executor of `dbx-ts local serve`: a run on the served workspace executes its tasks on the local engine
// exactly as `dbx-ts run -t local` does. Each deployed task is mapped back to the bundle through the deploy state
// the workspace holds (deploy-index.ts), the project is loaded for the target it was deployed to, and the task runs
// through the same executor as the local runner (pipelines, notebook-built tables, the bundle's local notebook
// implementations, dashboards) on the project's DuckDB databases. `dbx-ts run -t local` uses the same executor on
// the in-process local workspace (workspace-run.ts), with the options below that let it share its databases and
// stream every engine event to its output.
import { ExpectationFailedError, UserError } from '../../errors/index.ts';
import type { DbxEvent, EventSink } from '../../events/types.ts';
import type { Extensions } from '../../extensions/registry.ts';
import { TaskExecutionError, type FlowScript, type RunObserver, type TaskExecution, type TaskExecutionResult, type TaskExecutor } from '../../emulator/index.ts';
import { isJsonObject, type JsonObject } from '../../emulator/http/json.ts';
import { resolveVariables } from '../../deploy/interpolate.ts';
import { registerSecret } from '../../redaction/index.ts';
import type { BundleModel, TaskSettings } from '../../model/types.ts';
import type { LocalDatabases } from '../databases.ts';
import type { UpdateResult } from '../engine/index.ts';
import { localPaths } from '../paths.ts';
import type { LocalSecrets } from '../secrets.ts';
import type { LocalTaskContext } from '../tasks.ts';
import type { DeployIndex, DeployedResource } from './deploy-index.ts';

/**
 * The local engine's modules, loaded on the first task: a served workspace that is only deployed to and read
 * (most CI use) then never holds them (about 90 MB of a server's resident memory).
 */
const engineModules = async () => {
  const [deployIndex, catalog, databases, runLocal, secrets, tasks] = await Promise.all([
    import('./deploy-index.ts'),
    import('../catalog-objects.ts'),
    import('../databases.ts'),
    import('../run-local.ts'),
    import('../secrets.ts'),
    import('../tasks.ts'),
  ]);
  return {
    readDeployIndex: deployIndex.readDeployIndex,
    createLocalCatalogObjects: catalog.createLocalCatalogObjects,
    localDatabases: databases.localDatabases,
    prepareLanding: runLocal.prepareLanding,
    loadLocalSecrets: secrets.loadLocalSecrets,
    localTaskExecutor: tasks.localTaskExecutor,
    // Only for Pipelines-API updates: it brings the workspace target's pipeline-run code, which a job run never uses.
    runPipelineUpdate: async (...args: Parameters<typeof import('../run-pipeline.ts').runPipelineUpdate>) => (await import('../run-pipeline.ts')).runPipelineUpdate(...args),
  };
};

export interface ServedProject {
  /** The project as `dbx-ts run -t <target>` loads it. */
  load(target: string): Promise<{ model: BundleModel; extensions: Extensions; root: string; env: NodeJS.ProcessEnv }>;
}

export interface LocalEngineExecutorOptions {
  project: ServedProject;
  /** Engine events of the tasks (warnings and errors, or all with `allEvents`); each task's own also go to its get-output logs. */
  sink?: EventSink;
  /** Every engine event of a task goes to `sink` (table progress, expectations, skips), not only warnings and errors. */
  allEvents?: boolean;
  /** The project's databases, opened and closed by the caller (default: opened for each task). */
  databases?: LocalDatabases;
  /** Collects the table updates of every task (by pipeline or task key), as `run -t local` returns them. */
  updates?: Map<string, UpdateResult>;
  /** The caller created the catalog objects and prepared the landing zone before starting the run. */
  landingReady?: boolean;
  /** Secret values from the local secrets (environment, secrets file) before those the workspace holds. */
  localSecretsFirst?: boolean;
  parallelism?: number;
  observer?: RunObserver;
}

/** The summary a successful task gave (rows processed, ...), for the task table of `run -t local`. */
const summaries = new WeakMap<TaskExecutionResult, string>();

export function taskSummary(result: TaskExecutionResult | undefined): string | undefined {
  return result ? summaries.get(result) : undefined;
}

/** The run's pipeline_params.full_refresh (run-now): every table its tasks build is rebuilt from its sources. */
function fullRefreshOf(execution: TaskExecution): boolean {
  const overriding = execution.state.runs[execution.run.run_id.toString()]?.overriding_parameters;
  const params = overriding && isJsonObject(overriding['pipeline_params']) ? overriding['pipeline_params'] : undefined;
  return params?.['full_refresh'] === true;
}

const MAX_LOG_LINES = 200;

function notMapped(what: string): TaskExecutionError {
  return new TaskExecutionError(
    `${what} was not deployed by dbx-ts from a bundle this local workspace can read back, so there is nothing to run it with. ` +
      'Deploy the bundle to this workspace (dbx-ts deploy -t local, or to `local serve` as a workspace target) and run the deployed job.',
  );
}

/** The deployed task in the bundle's own terms (`${resources...}` references, bundle-relative notebook paths). */
function modelTask(task: JsonObject, index: DeployIndex): { task: TaskSettings; deployed?: DeployedResource } {
  const out = structuredClone(task) as TaskSettings;
  let deployed: DeployedResource | undefined;
  const ref = (kind: 'pipelines' | 'dashboards' | 'files', id: string, what: string) => {
    const found = index.byId(kind, id);
    if (!found) throw notMapped(what);
    deployed ??= found;
    return found.key;
  };
  const pipeline = isJsonObject(task['pipeline_task']) ? task['pipeline_task'] : undefined;
  if (pipeline) out['pipeline_task'] = { ...pipeline, pipeline_id: `\${resources.pipelines.${ref('pipelines', String(pipeline['pipeline_id']), `Pipeline ${String(pipeline['pipeline_id'])}`)}.id}` };
  const notebook = isJsonObject(task['notebook_task']) ? task['notebook_task'] : undefined;
  if (notebook) out['notebook_task'] = { ...notebook, notebook_path: ref('files', String(notebook['notebook_path']), `Notebook ${String(notebook['notebook_path'])}`) };
  const dashboard = isJsonObject(task['dashboard_task']) ? task['dashboard_task'] : undefined;
  if (dashboard) out['dashboard_task'] = { ...dashboard, dashboard_id: `\${resources.dashboards.${ref('dashboards', String(dashboard['dashboard_id']), `Dashboard ${String(dashboard['dashboard_id'])}`)}.id}` };
  return { task: out, ...(deployed ? { deployed } : {}) };
}

/** Secret values as the workspace holds them (deploy syncs them there), else the local ones (or the other way round). */
function workspaceSecrets(execution: TaskExecution, local: LocalSecrets, localFirst: boolean): LocalSecrets {
  return {
    get(scope, key) {
      if (localFirst) {
        const value = local.get(scope, key);
        if (value !== undefined) return value;
      }
      const stored = execution.state.secretScopes[scope]?.secrets[key];
      if (stored === undefined) return local.get(scope, key);
      const value = Buffer.from(stored.value, 'base64').toString('utf8');
      registerSecret(value);
      return value;
    },
  };
}

function flowsOf(updates: Iterable<UpdateResult>): FlowScript[] {
  return [...updates].flatMap((u) =>
    u.tables.map((t) => ({
      name: t.table.split('.').at(-1) ?? t.table,
      dataset: t.table,
      output_records: t.rows_inserted + t.rows_updated,
      dropped_records: t.expectations.reduce((n, e) => n + e.dropped_records, 0),
      expectations: t.expectations.map((e) => ({ name: e.expectation, dataset: e.dataset, passed_records: e.passed_records, failed_records: e.failed_records })),
    })),
  );
}

function logLine(e: DbxEvent): string {
  return `${e.level.toUpperCase()} ${e.message}`;
}

/** The task's events as log lines (the newest MAX_LOG_LINES); warnings and errors (or all) also go to the server's sink. */
function taskLog(serverSink: EventSink | undefined, all = false): { sink: EventSink; text(): string | undefined } {
  const lines: string[] = [];
  return {
    sink: (e) => {
      if (e.code === 'task.state') return;
      lines.push(logLine(e));
      if (lines.length > MAX_LOG_LINES) lines.shift();
      if (all || e.level === 'warn' || e.level === 'error') serverSink?.(e);
    },
    text: () => (lines.length > 0 ? `${lines.join('\n')}\n` : undefined),
  };
}

/** What failed, for get-output or the update's event log: message, trace, logs, and the flow a `fail` expectation stopped. */
function asExecutionError(error: unknown, updates: Iterable<UpdateResult>, logs: string | undefined): TaskExecutionError {
  if (error instanceof TaskExecutionError) return new TaskExecutionError(error.message, { ...error.details, ...(logs ? { logs } : {}) });
  const err = error instanceof Error ? error : new Error(String(error));
  const hint = error instanceof UserError && error.hint ? `\n${error.hint}` : '';
  const flows: FlowScript[] = error instanceof ExpectationFailedError ? [...flowsOf(updates), { name: error.dataset.split('.').at(-1) ?? error.dataset, dataset: error.dataset, error: err.message }] : [];
  const wrapped = new TaskExecutionError(`${err.name}: ${err.message}${hint}`, {
    ...(err.stack !== undefined ? { trace: err.stack } : {}),
    ...(logs ? { logs } : {}),
    ...(flows.length > 0 ? { flows } : {}),
  });
  // The engine's own error, for a caller in this process that reports it as the local runner does.
  wrapped.cause = err;
  return wrapped;
}

export function localEngineExecutor(options: LocalEngineExecutorOptions): TaskExecutor {
  const projects = new Map<string, ReturnType<ServedProject['load']>>();
  const prepared = new Map<string, Promise<void>>();
  const load = (target: string) => {
    let p = projects.get(target);
    if (!p) {
      p = options.project.load(target);
      projects.set(target, p);
      p.catch(() => projects.delete(target));
    }
    return p;
  };

  return {
    ...(options.parallelism !== undefined ? { parallelism: options.parallelism } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
    async execute(execution) {
      const { sink, text: logs } = taskLog(options.sink, options.allEvents);
      const updates = new Map<string, UpdateResult>();
      try {
        const { readDeployIndex, createLocalCatalogObjects, localDatabases, prepareLanding, loadLocalSecrets, localTaskExecutor } = await engineModules();
        const index = await readDeployIndex(execution.state, execution.readContent);
        const mapped = modelTask(execution.task, index);
        const owner = execution.run.run_type === 'JOB_RUN' ? index.byId('jobs', execution.run.job_id.toString()) : mapped.deployed;
        if (!owner) throw notMapped(`Job ${execution.run.job_id}`);
        const { model, extensions, root, env } = await load(owner.target);
        if (model.bundle.name !== owner.bundle) {
          throw new TaskExecutionError(`This task was deployed from bundle "${owner.bundle}", but this local workspace serves the project of bundle "${model.bundle.name}".`);
        }
        const paths = localPaths(root, env);
        const databases = options.databases ?? localDatabases(paths.database);
        try {
          const variables = Object.fromEntries(Object.entries(resolveVariables(model, { env })).filter((e): e is [string, string | number | boolean] => typeof e[1] !== 'object'));
          const runKey = execution.run.run_id.toString();
          let ready = options.landingReady ? Promise.resolve() : prepared.get(runKey);
          if (!ready) {
            // Once per run, as `run -t local` does before its tasks: catalog objects, and data if the landing zone is empty.
            const tasks = (model.resources.jobs[owner.kind === 'jobs' ? owner.key : '']?.settings.tasks ?? [mapped.task]) as TaskSettings[];
            ready = (async () => {
              await createLocalCatalogObjects(await databases.get(model.catalog), model, paths.volumes);
              await prepareLanding({ model, sink, signal: execution.signal, env }, extensions, paths, tasks);
            })();
            prepared.set(runKey, ready);
          }
          await ready;
          const ctx: LocalTaskContext = {
            model,
            extensions,
            databases,
            paths,
            secrets: workspaceSecrets(execution, await loadLocalSecrets(paths.secretsFile, env), options.localSecretsFirst === true),
            env,
            sink,
            jobParameters: execution.run.job_parameters,
            variables,
            updates,
            runId: runKey,
            ...(fullRefreshOf(execution) ? { fullRefresh: true } : {}),
          };
          let message: string | void;
          try {
            message = await localTaskExecutor(ctx)(mapped.task, execution.signal, execution.taskValues);
          } finally {
            for (const [key, update] of updates) options.updates?.set(key, update);
          }
          const flows = flowsOf(updates.values());
          const text = logs();
          const result: TaskExecutionResult = {
            ...(mapped.task['notebook_task'] ? { notebook_output: message } : {}),
            ...(flows.length > 0 ? { flows } : {}),
            ...(text !== undefined ? { logs: text } : {}),
          };
          if (message) summaries.set(result, message);
          return result;
        } finally {
          if (!options.databases) await databases.close();
        }
      } catch (error) {
        throw asExecutionError(error, updates.values(), logs());
      }
    },

    async updatePipeline(update) {
      const { sink, text: logs } = taskLog(options.sink);
      const updates: UpdateResult[] = [];
      try {
        update.progress('INITIALIZING');
        const { readDeployIndex, prepareLanding, runPipelineUpdate } = await engineModules();
        const index = await readDeployIndex(update.state, update.readContent);
        const deployed = index.byId('pipelines', update.pipeline_id);
        if (!deployed) throw notMapped(`Pipeline ${update.pipeline_id}`);
        const { model, extensions, root, env } = await load(deployed.target);
        if (model.bundle.name !== deployed.bundle) {
          throw new TaskExecutionError(`This pipeline was deployed from bundle "${deployed.bundle}", but this local workspace serves the project of bundle "${model.bundle.name}".`);
        }
        // A stop ends the update now: between steps here, and inside a table by interrupting its statement.
        const stopped = () => {
          if (update.signal.aborted) throw new TaskExecutionError('The update was stopped.');
        };
        stopped();
        update.progress('SETTING_UP_TABLES');
        // As before a job's pipeline task: data in the landing zone if it is empty.
        const task = { task_key: deployed.key, pipeline_task: { pipeline_id: `\${resources.pipelines.${deployed.key}.id}` } } as TaskSettings;
        await prepareLanding({ model, sink, signal: update.signal, env }, extensions, localPaths(root, env), [task]);
        stopped();
        update.progress('RUNNING');
        const result = await runPipelineUpdate({
          model,
          projectRoot: root,
          pipelineKey: deployed.key,
          env,
          sink,
          signal: update.signal,
          updateId: update.update_id,
          body: {
            ...(update.refresh_selection.length > 0 ? { refresh_selection: update.refresh_selection } : {}),
            ...(update.full_refresh_selection.length > 0 ? { full_refresh_selection: update.full_refresh_selection } : {}),
            ...(update.full_refresh ? { full_refresh: true } : {}),
            ...(update.validate_only ? { validate_only: true } : {}),
          },
        });
        if (result) updates.push(result);
        const flows = flowsOf(updates);
        const text = logs();
        return { ...(flows.length > 0 ? { flows } : {}), ...(text !== undefined ? { logs: text } : {}) } satisfies TaskExecutionResult;
      } catch (error) {
        throw asExecutionError(error, updates, logs());
      }
    },
  };
}
