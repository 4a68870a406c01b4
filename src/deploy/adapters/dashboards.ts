// Lakeview dashboards: create or update the draft (serialized_dashboard as a string, parent_path under the
// bundle root), then publish with embed_credentials, as the Databricks CLI does. Content drift is detected
// through the etag recorded after the last write.
import { isTrashed, RequestOutcomeUnknownError, type RequestBody } from '../../workspace/index.ts';
import { createOnce } from './create-once.ts';
import { FIELD_RULES } from '../fields.ts';
import type { DesiredResource } from '../types.ts';
import { deleteIgnoringMissing, readOrUndefined, withWorkspacePrefix } from './errors.ts';
import { ensureDirectory } from './files.ts';
import { standardDiff, type AdapterContext, type ApplyResult, type RemoteObject, type ResourceAdapter } from './types.ts';

async function readDashboard(ctx: AdapterContext, id: string): Promise<RemoteObject | undefined> {
  const dashboard = await readOrUndefined(() => ctx.client.lakeview.get(id));
  if (!dashboard || isTrashed(dashboard)) return undefined;
  const settings: Record<string, unknown> = { display_name: dashboard.display_name };
  // The API answers without the /Workspace prefix the bundle's paths carry.
  if (dashboard.parent_path) settings['parent_path'] = withWorkspacePrefix(dashboard.parent_path);
  if (dashboard.warehouse_id) settings['warehouse_id'] = dashboard.warehouse_id;
  return dashboard.etag ? { id, settings, etag: dashboard.etag } : { id, settings };
}

/** Lakeview stores a dashboard as `<parent_path>/<display_name>.lvdash.json`; its object knows the id. */
async function findDashboard(ctx: AdapterContext, desired: DesiredResource): Promise<RemoteObject | undefined> {
  const path = `${String(desired.settings['parent_path'])}/${String(desired.settings['display_name'])}.lvdash.json`;
  const info = await readOrUndefined(() => ctx.client.workspace.getStatus({ path }));
  if (!info || info.object_type !== 'DASHBOARD' || !info.resource_id) return undefined;
  return readDashboard(ctx, info.resource_id);
}

function body(desired: DesiredResource): RequestBody<'lakeview/create'> {
  const s = desired.settings;
  const out: RequestBody<'lakeview/create'> = {
    display_name: String(s['display_name']),
    parent_path: String(s['parent_path']),
    serialized_dashboard: typeof desired.payload === 'string' ? desired.payload : Buffer.from(desired.payload ?? '').toString('utf8'),
  };
  if (s['warehouse_id'] !== undefined) out.warehouse_id = String(s['warehouse_id']);
  return out;
}

function query(desired: DesiredResource): { dataset_catalog?: string; dataset_schema?: string } {
  const q: { dataset_catalog?: string; dataset_schema?: string } = {};
  if (desired.settings['dataset_catalog'] !== undefined) q.dataset_catalog = String(desired.settings['dataset_catalog']);
  if (desired.settings['dataset_schema'] !== undefined) q.dataset_schema = String(desired.settings['dataset_schema']);
  return q;
}

async function publish(ctx: AdapterContext, id: string, desired: DesiredResource): Promise<void> {
  const request: RequestBody<'lakeview/publish'> = { embed_credentials: desired.settings['embed_credentials'] === true };
  if (desired.settings['warehouse_id'] !== undefined) request.warehouse_id = String(desired.settings['warehouse_id']);
  await ctx.client.lakeview.publish(id, request);
}

export const dashboardsAdapter: ResourceAdapter = {
  kind: 'dashboards',
  rules: FIELD_RULES.dashboards,
  noun: 'dashboard',
  identity: "its path in the bundle's folder (resources/)",

  read: readDashboard,

  find: findDashboard,

  async create(ctx, desired): Promise<ApplyResult> {
    await ensureDirectory(ctx, String(desired.settings['parent_path']));
    const created = await createOnce(
      async () => {
        const d = await ctx.creator.lakeview.create(body(desired), query(desired));
        if (!d.dashboard_id) throw new Error(`lakeview/create returned no dashboard_id for ${desired.address}`);
        return { id: d.dashboard_id, etag: d.etag };
      },
      async () => {
        const found = await findDashboard(ctx, desired);
        return found ? { id: found.id, etag: found.etag } : undefined;
      },
      ctx.createOptions,
    );
    await publish(ctx, created.id, desired);
    return created.etag ? { id: created.id, etag: created.etag } : { id: created.id };
  },

  async update(ctx, id, desired): Promise<ApplyResult> {
    const send = () => ctx.client.lakeview.update(id, body(desired), query(desired));
    // Sending the same draft twice is harmless, so an update whose answer was lost is simply sent again.
    const updated = await send().catch((error: unknown) => {
      if (error instanceof RequestOutcomeUnknownError) return send();
      throw error;
    });
    await publish(ctx, id, desired);
    return updated.etag ? { id, etag: updated.etag } : { id };
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.lakeview.trash(id));
  },

  diff(recorded, desired, remote) {
    const changes = standardDiff(this.rules, recorded, desired, remote);
    if (recorded?.etag && remote.etag && recorded.etag !== remote.etag) {
      changes.push({ path: 'serialized_dashboard', source: 'remote', before: `etag ${remote.etag}`, after: `etag ${recorded.etag}` });
    }
    return changes;
  },
};
