// Lakeview (AI/BI) dashboards: create, update, get, publish, and trash.
import { callEndpoint, type RequestBody, type RequestQuery, type Response, type ServiceContext } from './endpoint.ts';

export type Dashboard = Response<'lakeview/get'>;

/** The output-only fields the CLI blanks before create/update. */
const OUTPUT_ONLY = ['create_time', 'dashboard_id', 'lifecycle_state', 'path', 'update_time'] as const;

function writable(dashboard: RequestBody<'lakeview/create'>): RequestBody<'lakeview/create'> {
  const copy: Record<string, unknown> = { ...dashboard };
  for (const key of OUTPUT_ONLY) delete copy[key];
  return copy as RequestBody<'lakeview/create'>;
}

/** A trashed dashboard is still returned by get; the CLI treats it as gone. */
export function isTrashed(dashboard: Dashboard): boolean {
  return dashboard.lifecycle_state === 'TRASHED';
}

export class LakeviewService {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * Creates a draft dashboard (serialized_dashboard is a JSON string). Not idempotent: after a lost response,
   * look for it under parent_path. A missing parent_path fails with 404: mkdirs, then retry.
   */
  create(dashboard: RequestBody<'lakeview/create'>, query: RequestQuery<'lakeview/create'> = {}): Promise<Response<'lakeview/create'>> {
    return callEndpoint(this.ctx.http, 'lakeview/create', { body: writable(dashboard), query }, { idempotent: false });
  }

  /**
   * Replaces the draft with the full dashboard; publish again afterwards. Without `etag` sending it twice is
   * harmless, so it is retried like any idempotent call; with `etag` (optimistic concurrency) a retry after a
   * lost answer would be refused as stale, so it is not.
   */
  update(dashboardId: string, dashboard: RequestBody<'lakeview/update'>, query: RequestQuery<'lakeview/update'> = {}): Promise<Response<'lakeview/update'>> {
    const idempotent = dashboard.etag === undefined;
    return callEndpoint(this.ctx.http, 'lakeview/update', { path: { dashboard_id: dashboardId }, body: writable(dashboard), query }, { idempotent });
  }

  get(dashboardId: string): Promise<Dashboard> {
    return callEndpoint(this.ctx.http, 'lakeview/get', { path: { dashboard_id: dashboardId } });
  }

  /** Publishes the current draft; embed_credentials is always sent, as the CLI does. */
  publish(dashboardId: string, body: RequestBody<'lakeview/publish'> = {}): Promise<Response<'lakeview/publish'>> {
    const withEmbed = { ...body, embed_credentials: body.embed_credentials ?? false };
    return callEndpoint(this.ctx.http, 'lakeview/publish', { path: { dashboard_id: dashboardId }, body: withEmbed }, { idempotent: true });
  }

  getPublished(dashboardId: string): Promise<Response<'lakeview/get-published'>> {
    return callEndpoint(this.ctx.http, 'lakeview/get-published', { path: { dashboard_id: dashboardId } });
  }

  unpublish(dashboardId: string): Promise<Response<'lakeview/unpublish'>> {
    return callEndpoint(this.ctx.http, 'lakeview/unpublish', { path: { dashboard_id: dashboardId } });
  }

  /** Moves the dashboard to the trash (DELETE); get() then reports lifecycle_state TRASHED. */
  trash(dashboardId: string): Promise<Response<'lakeview/trash'>> {
    return callEndpoint(this.ctx.http, 'lakeview/trash', { path: { dashboard_id: dashboardId } });
  }
}
