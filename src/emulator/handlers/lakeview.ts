// Lakeview dashboards: create (the parent folder must exist; the dashboard also appears in the
// workspace tree as `<display_name>.lvdash.json`), get, list, update with etag concurrency, publish,
// get/delete published, and trash (get still answers, with lifecycle_state TRASHED).
import { isoTime } from '../clock.ts';
import { HttpApiError, alreadyExists, doesNotExist, invalidParameter } from '../http/api-error.ts';
import { isJsonObject, parseJson, toJson, type JsonObject } from '../http/json.ts';
import { decodePageToken, paginate } from '../http/paging.ts';
import type { Route } from '../http/router.ts';
import { requireWarehouse } from './warehouses.ts';
import { nextHexId, nextObjectId } from '../ids.ts';
import type { DashboardRecord, WorkspaceState } from '../state.ts';
import { normaliseWorkspacePath, parentPath } from '../workspace-tree.ts';
import { type HandlerContext, callerOf, ok, optBool, optString, queryBool, queryInt, requireString } from './context.ts';

function requireDashboard(state: WorkspaceState, id: string): DashboardRecord {
  const dashboard = state.dashboards[id];
  if (!dashboard) throw doesNotExist(`Unable to find dashboard [${id}]`);
  return dashboard;
}

function requireActive(dashboard: DashboardRecord): void {
  if (dashboard.lifecycle_state === 'TRASHED') {
    throw invalidParameter(`Dashboard [${dashboard.dashboard_id}] is in the trash.`);
  }
}

/** Parses and optionally re-targets the datasets (dataset_catalog / dataset_schema query parameters). */
function serialisedDashboard(text: string | undefined, query: URLSearchParams): string {
  if (text === undefined) return '{}';
  let parsed: unknown;
  try {
    parsed = parseJson(text);
  } catch {
    throw invalidParameter('serialized_dashboard is not valid JSON.');
  }
  if (!isJsonObject(parsed)) throw invalidParameter('serialized_dashboard must be a JSON object.');
  const catalog = query.get('dataset_catalog');
  const schema = query.get('dataset_schema');
  if (catalog === null && schema === null) return text;
  for (const dataset of Array.isArray(parsed['datasets']) ? parsed['datasets'] : []) {
    if (!isJsonObject(dataset)) continue;
    if (catalog !== null) dataset['catalog'] = catalog;
    if (schema !== null) dataset['schema'] = schema;
  }
  return toJson(parsed);
}

function render(d: DashboardRecord, withContent = true): JsonObject {
  return {
    dashboard_id: d.dashboard_id,
    display_name: d.display_name,
    path: d.path,
    parent_path: d.parent_path,
    ...(withContent ? { serialized_dashboard: d.serialized_dashboard } : {}),
    ...(d.warehouse_id !== undefined ? { warehouse_id: d.warehouse_id } : {}),
    etag: d.etag,
    lifecycle_state: d.lifecycle_state,
    create_time: isoTime(d.create_time),
    update_time: isoTime(d.update_time),
  };
}

function renderPublished(d: DashboardRecord): JsonObject {
  const p = d.published!;
  return {
    display_name: p.display_name,
    embed_credentials: p.embed_credentials,
    ...(p.warehouse_id !== undefined ? { warehouse_id: p.warehouse_id } : {}),
    revision_create_time: isoTime(p.revision_create_time),
  };
}

function bumpEtag(d: DashboardRecord): void {
  d.etag = String(Number(d.etag) + 1);
}

/** Moves a dashboard to the trash: its workspace file and published version go away. */
export function trashDashboard(state: WorkspaceState, id: string, now: number): void {
  const d = state.dashboards[id];
  if (!d || d.lifecycle_state === 'TRASHED') return;
  d.lifecycle_state = 'TRASHED';
  d.update_time = now;
  delete d.published;
  if (state.objects[d.path]?.resource_id === id) delete state.objects[d.path];
}

function create(ctx: HandlerContext) {
  const { state, body, now } = ctx;
  const displayName = requireString(body, 'display_name');
  const parent = normaliseWorkspacePath(optString(body, 'parent_path') ?? `/Users/${callerOf(ctx).userName}`);
  if (state.objects[parent]?.object_type !== 'DIRECTORY') throw doesNotExist(`Path (${parent}) doesn't exist.`);
  const path = `${parent === '/' ? '' : parent}/${displayName}.lvdash.json`;
  if (state.objects[path]) throw alreadyExists(`Node named '${displayName}.lvdash.json' already exists`);
  const warehouseId = optString(body, 'warehouse_id');
  const dashboard: DashboardRecord = {
    dashboard_id: nextHexId(state),
    display_name: displayName,
    parent_path: parent,
    path,
    serialized_dashboard: serialisedDashboard(optString(body, 'serialized_dashboard'), ctx.query),
    ...(warehouseId !== undefined ? { warehouse_id: warehouseId } : {}),
    etag: '1',
    lifecycle_state: 'ACTIVE',
    create_time: now,
    update_time: now,
  };
  state.dashboards[dashboard.dashboard_id] = dashboard;
  state.objects[path] = {
    object_type: 'DASHBOARD',
    object_id: nextObjectId(state),
    created_at: now,
    modified_at: now,
    resource_id: dashboard.dashboard_id,
  };
  return ok(render(dashboard));
}

function update(ctx: HandlerContext) {
  const { state, body, now } = ctx;
  const d = requireDashboard(state, ctx.params['dashboard_id'] ?? '');
  requireActive(d);
  const etag = optString(body, 'etag');
  if (etag !== undefined && etag !== d.etag) {
    throw new HttpApiError(409, 'ABORTED', `The dashboard was modified since it was read (etag ${etag}, current ${d.etag}).`);
  }
  const displayName = optString(body, 'display_name');
  if (displayName !== undefined && displayName !== d.display_name) {
    const parent = parentPath(d.path);
    const newPath = `${parent === '/' ? '' : parent}/${displayName}.lvdash.json`;
    if (state.objects[newPath]) throw alreadyExists(`Node named '${displayName}.lvdash.json' already exists`);
    const obj = state.objects[d.path];
    delete state.objects[d.path];
    if (obj) state.objects[newPath] = { ...obj, modified_at: now };
    d.display_name = displayName;
    d.path = newPath;
  }
  const serialized = optString(body, 'serialized_dashboard');
  if (serialized !== undefined) d.serialized_dashboard = serialisedDashboard(serialized, ctx.query);
  const warehouseId = optString(body, 'warehouse_id');
  if (warehouseId !== undefined) d.warehouse_id = warehouseId;
  d.update_time = now;
  bumpEtag(d);
  return ok(render(d));
}

function publish(ctx: HandlerContext) {
  const d = requireDashboard(ctx.state, ctx.params['dashboard_id'] ?? '');
  requireActive(d);
  const warehouseId = optString(ctx.body, 'warehouse_id') ?? d.warehouse_id;
  if (warehouseId === undefined) throw invalidParameter('A warehouse_id is required to publish a dashboard.');
  requireWarehouse(ctx, warehouseId);
  d.published = {
    display_name: d.display_name,
    warehouse_id: warehouseId,
    embed_credentials: optBool(ctx.body, 'embed_credentials') ?? true,
    revision_create_time: ctx.now,
  };
  return ok(renderPublished(d));
}

export const lakeviewRoutes: Route[] = [
  { method: 'POST', pattern: '/api/2.0/lakeview/dashboards', body: 'json', handle: create },
  {
    method: 'GET',
    pattern: '/api/2.0/lakeview/dashboards',
    body: 'none',
    handle: (ctx) => {
      const showTrashed = queryBool(ctx.query, 'show_trashed');
      const all = Object.values(ctx.state.dashboards).filter((d) => showTrashed || d.lifecycle_state === 'ACTIVE');
      const page = paginate(all, decodePageToken(ctx.query.get('page_token')), queryInt(ctx.query, 'page_size', 25) || 25);
      return ok({
        ...(page.items.length > 0 ? { dashboards: page.items.map((d) => render(d, false)) } : {}),
        ...(page.next_page_token !== undefined ? { next_page_token: page.next_page_token } : {}),
      });
    },
  },
  {
    method: 'GET',
    pattern: '/api/2.0/lakeview/dashboards/{dashboard_id}',
    body: 'none',
    handle: (ctx) => ok(render(requireDashboard(ctx.state, ctx.params['dashboard_id'] ?? ''))),
  },
  { method: 'PATCH', pattern: '/api/2.0/lakeview/dashboards/{dashboard_id}', body: 'json', handle: update },
  {
    method: 'DELETE',
    pattern: '/api/2.0/lakeview/dashboards/{dashboard_id}',
    body: 'none',
    handle: (ctx) => {
      const d = requireDashboard(ctx.state, ctx.params['dashboard_id'] ?? '');
      trashDashboard(ctx.state, d.dashboard_id, ctx.now);
      return ok();
    },
  },
  { method: 'POST', pattern: '/api/2.0/lakeview/dashboards/{dashboard_id}/published', body: 'json', handle: publish },
  {
    method: 'GET',
    pattern: '/api/2.0/lakeview/dashboards/{dashboard_id}/published',
    body: 'none',
    handle: (ctx) => {
      const d = requireDashboard(ctx.state, ctx.params['dashboard_id'] ?? '');
      if (!d.published) throw doesNotExist(`Unable to find published dashboard [${d.dashboard_id}]`);
      return ok(renderPublished(d));
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/2.0/lakeview/dashboards/{dashboard_id}/published',
    body: 'none',
    handle: (ctx) => {
      const d = requireDashboard(ctx.state, ctx.params['dashboard_id'] ?? '');
      if (!d.published) throw doesNotExist(`Unable to find published dashboard [${d.dashboard_id}]`);
      delete d.published;
      return ok();
    },
  },
];
