// `dbx-ts run <pipeline-key> -t <workspace target>`: start an update of the deployed pipeline with the refresh
// options of `databricks bundle run` (--refresh, --full-refresh, --full-refresh-all, --validate-only, mutually
// exclusive; none means refresh all), watch it to its end and report its data quality. The request body is the
// Pipelines API's start-update: refresh_selection, full_refresh_selection, full_refresh, validate_only.
import { RemoteApiError, RunFailedError, UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { BundleModel } from '../model/types.ts';
import type { WorkspaceClient } from '../workspace/index.ts';
import { systemClock, type WatchClock } from './clock.ts';
import { deployedIds, type DeployedIdLookup } from './deployed-ids.ts';
import { expectationActions, readUpdateQuality } from './pipeline-quality.ts';
import { workspaceClientFor } from './target-client.ts';
import { isTransient } from './transient.ts';

export interface PipelineRefresh {
  /** --refresh t1,t2: update these tables only. */
  refresh?: string[];
  /** --full-refresh t1: reset and recompute these tables. */
  fullRefresh?: string[];
  /** --full-refresh-all: reset and recompute every table (streaming sources start over). */
  fullRefreshAll?: boolean;
  /** --validate-only: check the graph without touching data. */
  validateOnly?: boolean;
  /** --refresh-all: the default made explicit. */
  refreshAll?: boolean;
}

/** The flags given, as the Databricks CLI checks them: at most one kind. */
export function checkRefresh(refresh: PipelineRefresh): void {
  const set = [
    refresh.refreshAll ? '--refresh-all' : undefined,
    refresh.refresh?.length ? '--refresh' : undefined,
    refresh.fullRefreshAll ? '--full-refresh-all' : undefined,
    refresh.fullRefresh?.length ? '--full-refresh' : undefined,
    refresh.validateOnly ? '--validate-only' : undefined,
  ].filter((flag): flag is string => flag !== undefined);
  if (set.length > 1) throw new UserError(`pipeline run arguments are mutually exclusive (got ${set.join(', ')})`);
}

/** The start-update body for the flags; refresh-all is what an empty body means. */
export function startUpdateBody(refresh: PipelineRefresh): { refresh_selection?: string[]; full_refresh_selection?: string[]; full_refresh?: boolean; validate_only?: boolean } {
  checkRefresh(refresh);
  return {
    ...(refresh.refresh?.length ? { refresh_selection: refresh.refresh } : {}),
    ...(refresh.fullRefresh?.length ? { full_refresh_selection: refresh.fullRefresh } : {}),
    ...(refresh.fullRefreshAll ? { full_refresh: true } : {}),
    ...(refresh.validateOnly ? { validate_only: true } : {}),
  };
}

/** Tables named in --refresh or --full-refresh must be tables of the pipeline (by name, with or without schema). */
export function checkTables(model: BundleModel, pipelineKey: string, refresh: PipelineRefresh): void {
  const tables = model.resources.pipelines[pipelineKey]?.tables ?? [];
  if (tables.length === 0) return; // a pipeline from source files: its tables are not known here
  const known = new Set(tables.flatMap((t) => [t.name, t.name.split('.').pop() ?? t.name]));
  const unknown = [...(refresh.refresh ?? []), ...(refresh.fullRefresh ?? [])].filter((name) => !known.has(name) && !known.has(name.split('.').pop() ?? name));
  if (unknown.length > 0) {
    throw new UserError(
      `Pipeline "${pipelineKey}" has no table ${unknown.map((n) => `"${n}"`).join(', ')}`,
      `Its tables: ${tables.map((t) => t.name).join(', ')}.`,
    );
  }
}

export interface RemotePipelineOptions {
  model: BundleModel;
  projectRoot: string;
  pipelineKey: string;
  env: Record<string, string | undefined>;
  sink: EventSink;
  refresh: PipelineRefresh;
  signal?: AbortSignal;
  /** false: start the update, print its id and URL, and return. */
  wait?: boolean;
  timeoutMs?: number;
  client?: WorkspaceClient;
  deployed?: DeployedIdLookup;
  clock?: WatchClock;
}

export interface RemotePipelineResult {
  pipeline_id: string;
  update_id: string;
  url: string;
  state?: string;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELED']);

export async function runRemotePipeline(opts: RemotePipelineOptions): Promise<RemotePipelineResult> {
  const { model, sink, pipelineKey } = opts;
  const clock = opts.clock ?? systemClock;
  const body = startUpdateBody(opts.refresh);
  checkTables(model, pipelineKey, opts.refresh);
  const client = opts.client ?? workspaceClientFor(model, opts.env, { events: sink });
  const deployed = opts.deployed ?? deployedIds({ client, model, repoRoot: opts.projectRoot, env: opts.env });
  const pipelineId = await deployed('pipelines', pipelineKey);
  if (!pipelineId) {
    throw new UserError(`Pipeline "${pipelineKey}" is not deployed to target "${model.target.name}".`, `Deploy the bundle first: dbx-ts deploy -t ${model.target.name}`);
  }
  if (opts.signal?.aborted) throw new RunFailedError(`Interrupted before ${pipelineKey} was started`, 'cancelled');
  const started = await client.pipelines.startUpdate(pipelineId, body);
  const updateId = started.update_id;
  if (!updateId) throw new Error('start-update returned no update_id');
  const url = `${client.host.replace(/\/$/, '')}/#joblist/pipelines/${pipelineId}/updates/${updateId}`;
  sink({
    code: 'pipeline.update',
    level: 'info',
    message: `Started an update of ${pipelineKey} on target ${model.target.name}: ${describeRefresh(opts.refresh)}\n  ${url}`,
    data: { pipeline_key: pipelineKey, pipeline_id: pipelineId, update_id: updateId, url, state: 'CREATED', ...body },
  });
  if (opts.wait === false) return { pipeline_id: pipelineId, update_id: updateId, url };

  const state = await watchUpdate(client, { pipelineId, updateId, pipelineKey, sink, clock, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) });
  sink({
    code: 'pipeline.update',
    level: state.final === 'COMPLETED' ? 'info' : 'error',
    message: `Update ${updateId} of ${pipelineKey} ${state.final}`,
    data: { pipeline_key: pipelineKey, pipeline_id: pipelineId, update_id: updateId, url, state: state.final },
  });
  if (!opts.refresh.validateOnly) await reportQuality(client, model, pipelineId, updateId, state.start, sink);
  if (state.cancelledBy === 'timeout') throw new RunFailedError(`Update ${updateId} of ${pipelineKey} timed out (${url})`, 'timedout');
  if (state.cancelledBy === 'signal' || state.final === 'CANCELED') throw new RunFailedError(`Update ${updateId} of ${pipelineKey} was cancelled (${url})`, 'cancelled');
  if (state.final !== 'COMPLETED') throw new RunFailedError(`Update ${updateId} of ${pipelineKey} failed (${url})`, 'failed');
  return { pipeline_id: pipelineId, update_id: updateId, url, state: state.final };
}

function describeRefresh(refresh: PipelineRefresh): string {
  if (refresh.validateOnly) return 'validate only';
  if (refresh.fullRefreshAll) return 'full refresh of every table';
  if (refresh.fullRefresh?.length) return `full refresh of ${refresh.fullRefresh.join(', ')}`;
  if (refresh.refresh?.length) return `refresh of ${refresh.refresh.join(', ')}`;
  return 'refresh of every table';
}

interface WatchState {
  final: string;
  start: number;
  cancelledBy?: 'timeout' | 'signal';
}

/** Polls get-update until the update ends: first after half a second, then 1.5 times longer, at most 10 s apart. */
async function watchUpdate(
  client: WorkspaceClient,
  o: { pipelineId: string; updateId: string; pipelineKey: string; sink: EventSink; clock: WatchClock; signal?: AbortSignal; timeoutMs?: number },
): Promise<WatchState> {
  const start = o.clock.now();
  let delay = 500;
  let last: string | undefined;
  let cancelledBy: WatchState['cancelledBy'];
  for (;;) {
    if (cancelledBy === undefined && (o.signal?.aborted || (o.timeoutMs !== undefined && o.clock.now() - start >= o.timeoutMs))) {
      cancelledBy = o.signal?.aborted ? 'signal' : 'timeout';
      o.sink({ code: 'run.cancelling', level: 'warn', message: `Stopping update ${o.updateId} of ${o.pipelineKey} (${cancelledBy === 'signal' ? 'interrupted' : '--timeout'})`, data: { update_id: o.updateId, reason: cancelledBy } });
      await client.pipelines.stop(o.pipelineId);
    }
    const update = await client.pipelines.getUpdate(o.pipelineId, o.updateId).catch((error: unknown) => {
      if (isTransient(error)) return undefined;
      throw error;
    });
    const state = update?.update?.state;
    if (state && state !== last) {
      last = state;
      o.sink({
        code: 'task.state',
        level: 'info',
        message: `${o.pipelineKey}: ${state}`,
        data: {
          run_id: o.updateId,
          task_key: o.pipelineKey,
          state: TERMINAL.has(state) ? 'TERMINATED' : state,
          ...(TERMINAL.has(state) ? { result: state, end_time: o.clock.now() } : {}),
          start_time: start,
          update_id: o.updateId,
        },
      });
    }
    if (state && TERMINAL.has(state)) return { final: state, start, ...(cancelledBy ? { cancelledBy } : {}) };
    await o.clock.sleep(delay, cancelledBy ? undefined : o.signal);
    delay = Math.min(10_000, delay * 1.5);
  }
}

async function reportQuality(client: WorkspaceClient, model: BundleModel, pipelineId: string, updateId: string, since: number, sink: EventSink): Promise<void> {
  try {
    const { pipeline, metrics } = await readUpdateQuality(client, pipelineId, updateId, since, expectationActions(model));
    if (metrics.length === 0) return;
    const failed = metrics.reduce((n, m) => n + m.failed_records, 0);
    sink({ code: 'quality.metrics', level: failed > 0 ? 'warn' : 'info', message: `${pipeline}: ${metrics.length} expectations, ${failed} failed records (update ${updateId})`, data: { run_id: updateId, pipeline, metrics } });
  } catch (error) {
    if (!(error instanceof RemoteApiError)) throw error;
    sink({ code: 'log', level: 'warn', message: `Could not read the event log of ${updateId}: ${error.message}`, data: {} });
  }
}
