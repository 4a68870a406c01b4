// Jobs API 2.2: create, reset, update, get (tasks paged by 100), list (token pagination, name filter)
// and delete. A missing job is 400 INVALID_PARAMETER_VALUE "Job <id> does not exist.", as in Databricks.
import { invalidParameter, jobDoesNotExist } from '../http/api-error.ts';
import { isJsonObject, type JsonObject } from '../http/json.ts';
import { decodePageToken, pageArrays, paginate } from '../http/paging.ts';
import type { Route } from '../http/router.ts';
import { nextJobId } from '../ids.ts';
import { dependenciesOf, taskKeyOf, topologicalOrder } from '../sim/run-plan.ts';
import type { JobRecord, WorkspaceState } from '../state.ts';
import { type HandlerContext, callerOf, ok, optArray, optObject, queryBool, queryInt, requireId, requireQuery, toId } from './context.ts';

export const ARRAY_PAGE_SIZE = 100;
const MAX_TASKS = 1000;
const MAX_TAGS = 25;
/** The arrays jobs/get pages (and jobs/list with expand_tasks truncates). */
const JOB_ARRAYS = [['settings', 'tasks'], ['settings', 'job_clusters'], ['settings', 'parameters'], ['settings', 'environments']];
/** Settings keys that hold arrays merged by key in jobs/update. */
const KEYED_ARRAYS: Record<string, string> = { tasks: 'task_key', job_clusters: 'job_cluster_key' };

export function requireJob(state: WorkspaceState, id: bigint): JobRecord {
  const job = state.jobs[id.toString()];
  if (!job) throw jobDoesNotExist(id);
  return job;
}

function objects(value: unknown, name: string): JsonObject[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isJsonObject)) throw invalidParameter(`Invalid value for ${name}: expected an array of objects`);
  return value;
}

function uniqueKeys(items: JsonObject[], key: string, what: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const value = item[key];
    if (typeof value !== 'string' || value === '') throw invalidParameter(`Missing required field: ${what}.${key}`);
    if (seen.has(value)) throw invalidParameter(`${what} key ${value} is used more than once.`);
    seen.add(value);
  }
}

export function validateSettings(settings: JsonObject): void {
  const tasks = objects(settings['tasks'], 'tasks');
  if (tasks.length > MAX_TASKS) throw invalidParameter(`A job can have at most ${MAX_TASKS} tasks.`);
  uniqueKeys(tasks, 'task_key', 'Task');
  const keys = new Set(tasks.map(taskKeyOf));
  for (const task of tasks) {
    for (const dep of dependenciesOf(task)) {
      if (!keys.has(dep)) throw invalidParameter(`Task ${taskKeyOf(task)} depends on ${dep}, which is not a task of this job.`);
      if (dep === taskKeyOf(task)) throw invalidParameter(`Task ${dep} depends on itself.`);
    }
  }
  try {
    topologicalOrder(tasks);
  } catch {
    throw invalidParameter('The task dependencies form a cycle.');
  }
  uniqueKeys(objects(settings['job_clusters'], 'job_clusters'), 'job_cluster_key', 'Job cluster');
  const params = objects(settings['parameters'], 'parameters');
  uniqueKeys(params, 'name', 'Parameter');
  const maxRuns = settings['max_concurrent_runs'];
  if (maxRuns !== undefined && (typeof maxRuns !== 'number' || maxRuns < 0 || maxRuns > 1000)) {
    throw invalidParameter('max_concurrent_runs must be between 0 and 1000.');
  }
  const tags = settings['tags'];
  if (isJsonObject(tags) && Object.keys(tags).length > MAX_TAGS) throw invalidParameter(`A job can have at most ${MAX_TAGS} tags.`);
}

/** Fields the service fills in when they are left out (what a later jobs/get shows). */
export function withServerDefaults(settings: JsonObject): JsonObject {
  const out: JsonObject = {
    name: 'Untitled',
    email_notifications: {},
    webhook_notifications: {},
    timeout_seconds: 0,
    max_concurrent_runs: 1,
    format: 'MULTI_TASK',
    ...structuredClone(settings),
  };
  const tasks = objects(out['tasks'], 'tasks');
  out['tasks'] = tasks.map((task) => {
    const t: JsonObject = { run_if: 'ALL_SUCCESS', timeout_seconds: 0, email_notifications: {}, ...task };
    // The service returns dependencies ordered by task_key, whatever order they were sent in.
    if (Array.isArray(t['depends_on'])) {
      t['depends_on'] = [...(t['depends_on'] as JsonObject[])].sort((a, b) => String(a['task_key']).localeCompare(String(b['task_key'])));
    }
    return t;
  });
  return out;
}

function newSettings(body: JsonObject, name = 'new_settings'): JsonObject {
  const settings = optObject(body, name);
  if (!settings) throw invalidParameter(`Missing required field: ${name}`);
  return settings;
}

function renderJob(job: JobRecord): JsonObject {
  return {
    job_id: job.job_id,
    creator_user_name: job.creator_user_name,
    run_as_user_name: job.run_as_user_name,
    run_as_owner: true,
    created_time: job.created_time,
    settings: job.settings,
  };
}

/** jobs/update: top-level fields replace, task and job-cluster arrays merge by key, fields_to_remove drops. */
function mergeSettings(current: JsonObject, patch: JsonObject, remove: string[]): JsonObject {
  const out = structuredClone(current);
  for (const [field, value] of Object.entries(patch)) {
    const key = KEYED_ARRAYS[field];
    if (!key || !Array.isArray(out[field])) {
      out[field] = value;
      continue;
    }
    const merged = [...(out[field] as JsonObject[])];
    for (const item of objects(value, field)) {
      const i = merged.findIndex((m) => m[key] === item[key]);
      if (i >= 0) merged[i] = item;
      else merged.push(item);
    }
    out[field] = merged;
  }
  for (const field of remove) {
    const [top, itemKey] = field.split('/');
    if (top === undefined) continue;
    const key = KEYED_ARRAYS[top];
    if (itemKey !== undefined && key && Array.isArray(out[top])) {
      out[top] = (out[top] as JsonObject[]).filter((item) => item[key] !== itemKey);
    } else {
      delete out[top];
    }
  }
  return out;
}

/** Jobs API 2.1 and 2.2 take the same requests; 2.2 pages arrays in reads and queues runs by default. */
export function isJobsApi21(ctx: HandlerContext): boolean {
  return ctx.path.startsWith('/api/2.1/');
}

/** Jobs created or reset through 2.2 queue their runs unless told not to. */
function withQueueDefault(ctx: HandlerContext, settings: JsonObject): JsonObject {
  return isJobsApi21(ctx) || settings['queue'] !== undefined ? settings : { ...settings, queue: { enabled: true } };
}

/** The same routes under /api/2.1/ (the SDKs used 2.1 until 2025; many clients still do). */
export function alsoUnder21(routes: Route[]): Route[] {
  return [...routes, ...routes.map((r) => ({ ...r, pattern: r.pattern.replace('/api/2.2/', '/api/2.1/') }))];
}

function create(ctx: HandlerContext) {
  const settings = withQueueDefault(ctx, { ...ctx.body });
  delete settings['access_control_list'];
  validateSettings(settings);
  const caller = callerOf(ctx).userName;
  const job: JobRecord = {
    job_id: nextJobId(ctx.state),
    settings: withServerDefaults(settings),
    created_time: ctx.now,
    creator_user_name: caller,
    run_as_user_name: caller,
  };
  ctx.state.jobs[job.job_id.toString()] = job;
  return ok({ job_id: job.job_id });
}

function list(ctx: HandlerContext) {
  const limit = queryInt(ctx.query, 'limit', 20);
  if (limit < 1 || limit > 100) throw invalidParameter('limit must be between 1 and 100.');
  const name = ctx.query.get('name')?.toLowerCase();
  const expand = queryBool(ctx.query, 'expand_tasks');
  const offset = ctx.query.has('page_token') ? decodePageToken(ctx.query.get('page_token')) : queryInt(ctx.query, 'offset', 0);
  const jobs = Object.values(ctx.state.jobs)
    .filter((j) => name === undefined || String(j.settings['name']).toLowerCase() === name)
    .sort((a, b) => (a.job_id < b.job_id ? -1 : 1));
  const page = paginate(jobs, offset, limit);
  const rendered = page.items.map((job) => {
    const base = renderJob(job);
    delete base['run_as_user_name'];
    delete base['run_as_owner'];
    if (!expand) {
      const settings = { ...job.settings };
      for (const [, key] of JOB_ARRAYS) delete settings[key!];
      return { ...base, settings };
    }
    const paged = pageArrays(base, JOB_ARRAYS, 0, ARRAY_PAGE_SIZE);
    return paged.next_page_token ? { ...paged.obj, has_more: true } : paged.obj;
  });
  return ok({
    ...(rendered.length > 0 ? { jobs: rendered } : {}),
    has_more: page.has_more,
    ...(page.next_page_token !== undefined ? { next_page_token: page.next_page_token } : {}),
    ...(page.prev_page_token !== undefined ? { prev_page_token: page.prev_page_token } : {}),
  });
}

export const jobsRoutes: Route[] = alsoUnder21([
  { method: 'POST', pattern: '/api/2.2/jobs/create', body: 'json', handle: create },
  {
    method: 'POST',
    pattern: '/api/2.2/jobs/reset',
    body: 'json',
    handle: (ctx) => {
      const job = requireJob(ctx.state, requireId(ctx.body, 'job_id'));
      const settings = withQueueDefault(ctx, newSettings(ctx.body));
      validateSettings(settings);
      job.settings = withServerDefaults(settings);
      return ok();
    },
  },
  {
    method: 'POST',
    pattern: '/api/2.2/jobs/update',
    body: 'json',
    handle: (ctx) => {
      const job = requireJob(ctx.state, requireId(ctx.body, 'job_id'));
      const patch = optObject(ctx.body, 'new_settings') ?? {};
      const remove = optArray(ctx.body, 'fields_to_remove').map(String);
      const merged = mergeSettings(job.settings, patch, remove);
      validateSettings(merged);
      job.settings = withServerDefaults(merged);
      return ok();
    },
  },
  {
    method: 'GET',
    pattern: '/api/2.2/jobs/get',
    body: 'none',
    handle: (ctx) => {
      const job = requireJob(ctx.state, toId(requireQuery(ctx.query, 'job_id'), 'job_id'));
      if (isJobsApi21(ctx)) return ok(renderJob(job));
      const paged = pageArrays(renderJob(job), JOB_ARRAYS, decodePageToken(ctx.query.get('page_token')), ARRAY_PAGE_SIZE);
      return ok(paged.next_page_token ? { ...paged.obj, has_more: true, next_page_token: paged.next_page_token } : paged.obj);
    },
  },
  { method: 'GET', pattern: '/api/2.2/jobs/list', body: 'none', handle: list },
  {
    method: 'POST',
    pattern: '/api/2.2/jobs/delete',
    body: 'json',
    handle: (ctx) => {
      const job = requireJob(ctx.state, requireId(ctx.body, 'job_id'));
      delete ctx.state.jobs[job.job_id.toString()];
      return ok();
    },
  },
]);
