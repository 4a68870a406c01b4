// Pipelines API 2.0 (Lakeflow Declarative Pipelines): create (with dry_run), edit (full spec, optional
// expected_last_modified), get, list (filter, max_results ≤ 100), delete, start/stop updates, get and
// list updates, and the event log with flow_progress data-quality metrics. On a workspace that executes (local
// serve), an update runs the pipeline (sim/live-pipeline-updates.ts); otherwise it follows the scenario.
import { isoTime } from '../clock.ts';
import { conflict, doesNotExist, invalidParameter } from '../http/api-error.ts';
import { isJsonObject, type JsonObject } from '../http/json.ts';
import { decodeListingToken, decodePageToken, encodeListingToken, paginate } from '../http/paging.ts';
import type { Route } from '../http/router.ts';
import { nextUuid } from '../ids.ts';
import { cancelUpdate, isUpdateActive, planUpdate, pipelineName, renderEvent, renderUpdate, scriptedUpdateResult, updateStateAt } from '../sim/pipeline-update.ts';
import type { PipelineEventRecord, PipelineRecord, WorkspaceState } from '../state.ts';
import { type HandlerContext, callerOf, ok, optArray, optBool, queryInt, toId } from './context.ts';

/** Request fields that steer the call rather than belong to the pipeline spec. */
const NON_SPEC_FIELDS = ['dry_run', 'allow_duplicate_names', 'run_as', 'expected_last_modified', 'pipeline_id'];
const MAX_LIST_RESULTS = 100;

function requirePipeline(state: WorkspaceState, id: string): PipelineRecord {
  const pipeline = state.pipelines[id];
  if (!pipeline) throw doesNotExist(`The specified pipeline ${id} was not found.`);
  return pipeline;
}

function specFrom(body: JsonObject, id: string): JsonObject {
  const spec: JsonObject = structuredClone(body);
  for (const field of NON_SPEC_FIELDS) delete spec[field];
  if (spec['schema'] !== undefined && spec['target'] !== undefined) {
    throw invalidParameter('Only one of schema and target can be set; target is legacy, use schema with catalog.');
  }
  spec['id'] = id;
  // Without Unity Catalog (no catalog), the service picks a storage location.
  if (spec['catalog'] === undefined && spec['storage'] === undefined) spec['storage'] = `dbfs:/pipelines/${id}`;
  return spec;
}

function checkDuplicateName(state: WorkspaceState, body: JsonObject, self?: string): void {
  const name = body['name'];
  if (typeof name !== 'string' || optBool(body, 'allow_duplicate_names') === true) return;
  const clash = Object.values(state.pipelines).find((p) => p.pipeline_id !== self && p.spec['name'] === name);
  if (clash) throw conflict(`Pipeline name '${name}' is already used by pipeline ${clash.pipeline_id}.`);
}

function pipelineState(pipeline: PipelineRecord, now: number): string {
  return pipeline.updates.some((u) => isUpdateActive(u, now)) ? 'RUNNING' : 'IDLE';
}

function latestUpdates(pipeline: PipelineRecord, now: number): JsonObject[] {
  return pipeline.updates
    .filter((u) => u.created_at <= now)
    .reverse()
    .slice(0, 5)
    .map((u) => ({ update_id: u.update_id, state: updateStateAt(u, now), creation_time: isoTime(u.created_at) }));
}

function status(pipeline: PipelineRecord, now: number): JsonObject {
  const latest = latestUpdates(pipeline, now);
  return {
    pipeline_id: pipeline.pipeline_id,
    name: pipelineName(pipeline),
    state: pipelineState(pipeline, now),
    creator_user_name: pipeline.creator_user_name,
    run_as_user_name: pipeline.run_as_user_name,
    ...(latest.length > 0 ? { latest_updates: latest } : {}),
  };
}

/** The identity updates run as (`run_as`: a user or a service principal's application id), when the body sets one. */
function runAsOf(body: JsonObject): string | undefined {
  const runAs = body['run_as'];
  if (runAs === undefined) return undefined;
  if (!isJsonObject(runAs)) throw invalidParameter('run_as must be an object.');
  const names = [runAs['user_name'], runAs['service_principal_name']].filter((v): v is string => typeof v === 'string' && v !== '');
  if (names.length !== 1) throw invalidParameter('run_as must name exactly one of user_name or service_principal_name.');
  return names[0];
}

function create(ctx: HandlerContext) {
  const { state, body, now } = ctx;
  checkDuplicateName(state, body);
  const dryRun = optBool(body, 'dry_run') ?? false;
  const id = dryRun ? 'dry-run' : nextUuid(state);
  const spec = specFrom(body, id);
  if (dryRun) return ok({ effective_settings: spec });
  const caller = callerOf(ctx).userName;
  state.pipelines[id] = { pipeline_id: id, spec, creator_user_name: caller, run_as_user_name: runAsOf(body) ?? caller, created_at: now, last_modified: now, updates: [] };
  return ok({ pipeline_id: id, effective_settings: spec });
}

function edit(ctx: HandlerContext) {
  const { state, body, now } = ctx;
  const pipeline = requirePipeline(state, ctx.params['pipeline_id'] ?? '');
  const bodyId = body['pipeline_id'] ?? body['id'];
  if (bodyId !== undefined && bodyId !== pipeline.pipeline_id) throw invalidParameter(`The pipeline id in the body (${String(bodyId)}) does not match the path.`);
  const expected = body['expected_last_modified'];
  if (expected !== undefined && toId(expected, 'expected_last_modified') !== BigInt(pipeline.last_modified)) {
    throw conflict(`The pipeline ${pipeline.pipeline_id} was modified since it was read (last_modified ${pipeline.last_modified}).`);
  }
  checkDuplicateName(state, body, pipeline.pipeline_id);
  pipeline.spec = specFrom(body, pipeline.pipeline_id);
  pipeline.run_as_user_name = runAsOf(body) ?? pipeline.run_as_user_name;
  pipeline.last_modified = Math.max(now, pipeline.last_modified + 1);
  return ok();
}

/** `name LIKE '%x%'` and `notebook='<path>'`, the two filters the list API documents. */
function listFilter(filter: string | null): (p: PipelineRecord) => boolean {
  if (filter === null || filter.trim() === '') return () => true;
  const like = /^\s*name\s+LIKE\s+'(.*)'\s*$/i.exec(filter);
  if (like) {
    const pattern = like[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
    const regex = new RegExp(`^${pattern}$`, 'i');
    return (p) => regex.test(pipelineName(p));
  }
  const notebook = /^\s*notebook\s*=\s*'(.*)'\s*$/i.exec(filter);
  if (notebook) {
    return (p) => (Array.isArray(p.spec['libraries']) ? (p.spec['libraries'] as JsonObject[]) : []).some((l) => (l['notebook'] as JsonObject | undefined)?.['path'] === notebook[1]);
  }
  throw invalidParameter(`Unsupported filter: ${filter}`);
}

function list(ctx: HandlerContext) {
  const maxResults = queryInt(ctx.query, 'max_results', 25);
  if (maxResults > MAX_LIST_RESULTS) throw invalidParameter(`max_results must be at most ${MAX_LIST_RESULTS}.`);
  const all = Object.values(ctx.state.pipelines).filter(listFilter(ctx.query.get('filter')));
  const page = paginate(all, decodePageToken(ctx.query.get('page_token')), maxResults || 25);
  return ok({
    ...(page.items.length > 0 ? { statuses: page.items.map((p) => status(p, ctx.now)) } : {}),
    ...(page.next_page_token !== undefined ? { next_page_token: page.next_page_token } : {}),
  });
}

function startUpdate(ctx: HandlerContext) {
  const { state, body, now, scenario } = ctx;
  const pipeline = requirePipeline(state, ctx.params['pipeline_id'] ?? '');
  const active = pipeline.updates.find((u) => isUpdateActive(u, now) || u.created_at > now);
  if (active) throw conflict(`An active update ${active.update_id} already exists for pipeline ${pipeline.pipeline_id}.`);
  const request = {
    fullRefresh: optBool(body, 'full_refresh') ?? false,
    validateOnly: optBool(body, 'validate_only') ?? false,
    refreshSelection: optArray(body, 'refresh_selection').map(String),
    fullRefreshSelection: optArray(body, 'full_refresh_selection').map(String),
  };
  // A workspace that executes (local serve) runs the pipeline; the test double follows its scenario.
  if (ctx.pipelineUpdates) return ok({ update_id: ctx.pipelineUpdates.start(pipeline, request).update_id });
  const script = scenario.pipelineFor(pipelineName(pipeline), pipeline.pipeline_id);
  const outcome = scriptedUpdateResult(script.flows ?? [], script.result, script.error);
  const update = planUpdate({
    pipeline,
    updateId: nextUuid(state),
    cause: 'API_CALL',
    ...request,
    startAt: now,
    endAt: now + (script.durationMs ?? scenario.data.defaults.pipelineMs),
    result: outcome.result,
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    flows: script.flows ?? [],
    newEventId: () => nextUuid(state),
  });
  pipeline.updates.push(update);
  return ok({ update_id: update.update_id });
}

function stopActive(ctx: HandlerContext, pipeline: PipelineRecord): void {
  for (const update of pipeline.updates) {
    if (!isUpdateActive(update, ctx.now)) continue;
    // An executing update stops when its engine lets go (STOPPING, then CANCELED); a scripted one at once.
    if (ctx.pipelineUpdates?.isExecuting(update)) ctx.pipelineUpdates.stop(update);
    else cancelUpdate(update, ctx.now, () => nextUuid(ctx.state));
  }
}

/** level='X', level in ('X','Y'), id='X' and timestamp comparisons, joined with AND. */
function eventFilter(filter: string | null): (e: PipelineEventRecord) => boolean {
  if (filter === null || filter.trim() === '') return () => true;
  const tests = filter.split(/\s+AND\s+/i).map((clause): ((e: PipelineEventRecord) => boolean) => {
    let m = /^\s*level\s*=\s*'(\w+)'\s*$/i.exec(clause);
    if (m) return (e) => e.level === m![1]!.toUpperCase();
    m = /^\s*level\s+in\s*\(([^)]*)\)\s*$/i.exec(clause);
    if (m) {
      const levels = m[1]!.split(',').map((s) => s.trim().replace(/^'|'$/g, '').toUpperCase());
      return (e) => levels.includes(e.level);
    }
    m = /^\s*id\s*=\s*'([^']*)'\s*$/i.exec(clause);
    if (m) return (e) => e.id === m![1];
    m = /^\s*timestamp\s*(>=|<=|>|<|=)\s*'([^']*)'\s*$/i.exec(clause);
    if (m) {
      const at = Date.parse(m[2]!);
      if (Number.isNaN(at)) throw invalidParameter(`Invalid timestamp in filter: ${m[2]}`);
      const op = m[1]!;
      return (e) => (op === '>' ? e.timestamp > at : op === '<' ? e.timestamp < at : op === '>=' ? e.timestamp >= at : op === '<=' ? e.timestamp <= at : e.timestamp === at);
    }
    throw invalidParameter(`Unsupported filter: ${clause}`);
  });
  return (e) => tests.every((t) => t(e));
}

function events(ctx: HandlerContext) {
  const pipeline = requirePipeline(ctx.state, ctx.params['pipeline_id'] ?? '');
  // A next page keeps the first request's order and filter (Databricks refuses them beside a page_token).
  const token = ctx.query.get('page_token');
  const listing = token ? decodeListingToken(token) : undefined;
  const params: Record<string, string> = listing?.params ?? {
    order: ctx.query.getAll('order_by').some((o) => /timestamp\s+asc/i.test(o)) ? 'asc' : 'desc',
    ...(ctx.query.get('filter') ? { filter: ctx.query.get('filter')! } : {}),
  };
  const ascending = params['order'] === 'asc';
  const all = pipeline.updates
    .flatMap((u) => u.events)
    .filter((e) => e.timestamp <= ctx.now)
    .filter(eventFilter(params['filter'] ?? null))
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (ascending ? 1 : -1) * (a.e.timestamp - b.e.timestamp || a.i - b.i))
    .map(({ e }) => renderEvent(e));
  const offset = listing?.offset ?? 0;
  const limit = queryInt(ctx.query, 'max_results', 25) || 25;
  const items = all.slice(offset, offset + limit);
  const end = offset + items.length;
  return ok({
    events: items,
    ...(end < all.length ? { next_page_token: encodeListingToken(end, params) } : {}),
    ...(offset > 0 ? { prev_page_token: encodeListingToken(Math.max(0, offset - limit), params) } : {}),
  });
}

export const pipelinesRoutes: Route[] = [
  { method: 'POST', pattern: '/api/2.0/pipelines', body: 'json', handle: create },
  { method: 'GET', pattern: '/api/2.0/pipelines', body: 'none', handle: list },
  {
    method: 'GET',
    pattern: '/api/2.0/pipelines/{pipeline_id}',
    body: 'none',
    handle: (ctx) => {
      const p = requirePipeline(ctx.state, ctx.params['pipeline_id'] ?? '');
      return ok({ ...status(p, ctx.now), spec: p.spec, last_modified: p.last_modified, health: 'HEALTHY' });
    },
  },
  { method: 'PUT', pattern: '/api/2.0/pipelines/{pipeline_id}', body: 'json', handle: edit },
  {
    method: 'DELETE',
    pattern: '/api/2.0/pipelines/{pipeline_id}',
    body: 'none',
    handle: (ctx) => {
      const p = requirePipeline(ctx.state, ctx.params['pipeline_id'] ?? '');
      stopActive(ctx, p);
      delete ctx.state.pipelines[p.pipeline_id];
      return ok();
    },
  },
  { method: 'POST', pattern: '/api/2.0/pipelines/{pipeline_id}/updates', body: 'json', handle: startUpdate },
  {
    method: 'GET',
    pattern: '/api/2.0/pipelines/{pipeline_id}/updates',
    body: 'none',
    handle: (ctx) => {
      const p = requirePipeline(ctx.state, ctx.params['pipeline_id'] ?? '');
      const visible = p.updates.filter((u) => u.created_at <= ctx.now).reverse();
      const page = paginate(visible, decodePageToken(ctx.query.get('page_token')), queryInt(ctx.query, 'max_results', 25) || 25);
      return ok({
        ...(page.items.length > 0 ? { updates: page.items.map((u) => renderUpdate(u, p.spec, ctx.now)) } : {}),
        ...(page.next_page_token !== undefined ? { next_page_token: page.next_page_token } : {}),
        ...(page.prev_page_token !== undefined ? { prev_page_token: page.prev_page_token } : {}),
      });
    },
  },
  {
    method: 'GET',
    pattern: '/api/2.0/pipelines/{pipeline_id}/updates/{update_id}',
    body: 'none',
    handle: (ctx) => {
      const p = requirePipeline(ctx.state, ctx.params['pipeline_id'] ?? '');
      const u = p.updates.find((x) => x.update_id === ctx.params['update_id'] && x.created_at <= ctx.now);
      if (!u) throw doesNotExist(`The specified update ${ctx.params['update_id']} was not found.`);
      return ok({ update: renderUpdate(u, p.spec, ctx.now) });
    },
  },
  { method: 'GET', pattern: '/api/2.0/pipelines/{pipeline_id}/events', body: 'none', handle: events },
  {
    method: 'POST',
    pattern: '/api/2.0/pipelines/{pipeline_id}/stop',
    body: 'json',
    handle: (ctx) => {
      stopActive(ctx, requirePipeline(ctx.state, ctx.params['pipeline_id'] ?? ''));
      return ok();
    },
  },
];

