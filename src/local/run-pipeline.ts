// `dbx-ts run <pipeline-key>` on the local target: one pipeline update on DuckDB with the refresh options of a
// workspace run. --refresh updates the named tables only; --full-refresh rebuilds the named tables (dropped, their
// Auto Loader progress and stream offsets reset) and updates only them; --full-refresh-all rebuilds every table;
// --validate-only touches no data: the full checks that ran before (schema, references, the SQL bound by DuckDB)
// are the validation, and the update order is reported.
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { BundleModel, TableModel } from '../model/types.ts';
import { resolveVariables } from '../deploy/interpolate.ts';
import { checkTables, startUpdateBody, type PipelineRefresh } from '../run/pipeline-run.ts';
import { createLocalCatalogObjects } from './catalog-objects.ts';
import { localDatabases } from './databases.ts';
import { parseTableName, runTables, displayName, type UpdateResult } from './engine/index.ts';
import { dependencyOrder } from './engine/order.ts';
import { resetTables } from './engine/reset.ts';
import { localPaths } from './paths.ts';
import { bindConfiguration } from './task-parameters.ts';

export interface LocalPipelineOptions {
  model: BundleModel;
  projectRoot: string;
  pipelineKey: string;
  env: NodeJS.ProcessEnv;
  sink: EventSink;
  refresh: PipelineRefresh;
  /** Stops the update: the statement running is interrupted, its table left as it was. */
  signal?: AbortSignal;
}

/** The tables a name given on the command line means: `schema.table`, `catalog.schema.table` or `table`. */
function pick(tables: readonly TableModel[], names: readonly string[], catalog: string): TableModel[] {
  const full = (t: TableModel) => displayName(parseTableName(t.name, catalog));
  return tables.filter((t) => names.some((n) => full(t) === n || t.name === n || full(t).endsWith(`.${n}`)));
}

export async function runLocalPipeline(opts: LocalPipelineOptions): Promise<UpdateResult | undefined> {
  const { refresh, ...rest } = opts;
  const body = startUpdateBody(refresh);
  checkTables(opts.model, opts.pipelineKey, refresh);
  return runPipelineUpdate({ ...rest, body });
}

/** A start-update's body (refresh_selection and full_refresh_selection may be given together: both sets update). */
export type StartUpdateBody = ReturnType<typeof startUpdateBody>;

/**
 * One update as a Pipelines-API start-update asks for it (also `local serve`'s updates): the tables named update
 * (all when none is), those of full_refresh_selection (all with full_refresh) rebuilt first.
 */
export async function runPipelineUpdate(opts: Omit<LocalPipelineOptions, 'refresh'> & { body: StartUpdateBody; updateId?: string }): Promise<UpdateResult | undefined> {
  const { model, sink, pipelineKey, body } = opts;
  const pipeline = model.resources.pipelines[pipelineKey]!;
  const variables = Object.fromEntries(Object.entries(resolveVariables(model, { env: opts.env })).filter((e): e is [string, string | number | boolean] => typeof e[1] !== 'object'));
  const all = bindConfiguration(pipeline.tables, pipeline.settings['configuration'], variables);
  if (all.length === 0) throw new UserError(`Pipeline "${pipelineKey}" has no tables the local engine can run (it is built from source files only).`);
  const catalog = model.catalog;
  const name = pipeline.settings.name;

  if (body.validate_only) {
    const order = dependencyOrder(all, catalog).map((t) => t.name);
    sink({ code: 'log', level: 'info', message: `${pipelineKey}: the graph is valid (every check of validate passed); ${order.length} tables would update in this order: ${order.join(', ')}. No data was touched.`, data: { pipeline_key: pipelineKey, order } });
    return undefined;
  }
  const named = [...(body.refresh_selection ?? []), ...(body.full_refresh_selection ?? [])];
  const tables = named.length > 0 ? pick(all, named, catalog) : all;
  const rebuild = body.full_refresh ? all : body.full_refresh_selection ? pick(all, body.full_refresh_selection, catalog) : [];

  const paths = localPaths(opts.projectRoot, opts.env);
  const databases = localDatabases(paths.database);
  try {
    const db = await databases.get(catalog);
    await createLocalCatalogObjects(db, model, paths.volumes);
    if (rebuild.length > 0) {
      await resetTables(db, rebuild, catalog);
      sink({ code: 'log', level: 'info', message: `${pipelineKey}: full refresh of ${rebuild.map((t) => t.name).join(', ')}: tables dropped, Auto Loader progress and stream offsets reset`, data: { tables: rebuild.map((t) => t.name) } });
    }
    const started = Date.now();
    const updateId = opts.updateId ?? `local-${started}`;
    sink({ code: 'task.state', level: 'info', message: `${pipelineKey}: RUNNING`, data: { run_id: updateId, task_key: pipelineKey, state: 'RUNNING', start_time: started, update_id: updateId } });
    try {
      const result = await runTables(db, tables, { catalog, landingRoot: paths.volumes, pipelineName: name, updateId, sink, ...(opts.signal ? { signal: opts.signal } : {}) });
      sink({ code: 'task.state', level: 'info', message: `${pipelineKey}: COMPLETED`, data: { run_id: updateId, task_key: pipelineKey, state: 'TERMINATED', result: 'COMPLETED', start_time: started, end_time: Date.now(), update_id: updateId } });
      return result;
    } catch (error) {
      sink({ code: 'task.state', level: 'info', message: `${pipelineKey}: FAILED`, data: { run_id: updateId, task_key: pipelineKey, state: 'TERMINATED', result: 'FAILED', start_time: started, end_time: Date.now(), update_id: updateId, message: (error as Error).message } });
      throw error;
    }
  } finally {
    await databases.close();
  }
}
