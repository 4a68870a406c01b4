// SQL warehouses (read-only): list and get. The warehouses a fake workspace has are part of its configuration
// (a served local workspace has one, backed by its DuckDB database); Lakeview publish checks against them.
import { HttpApiError, doesNotExist } from '../http/api-error.ts';
import type { Route } from '../http/router.ts';
import { type HandlerContext, ok } from './context.ts';

export interface WarehouseSpec {
  id: string;
  name: string;
}

/** The warehouse a fake workspace has unless told otherwise (the reference bundle's local target uses `local`). */
export const DEFAULT_WAREHOUSES: WarehouseSpec[] = [{ id: 'local', name: 'Local warehouse (DuckDB)' }];

export function requireWarehouse(ctx: HandlerContext, id: string): WarehouseSpec {
  const warehouse = ctx.warehouses.find((w) => w.id === id);
  if (!warehouse) throw doesNotExist(`Warehouse ${id} does not exist.`);
  return warehouse;
}

function render(ctx: HandlerContext, w: WarehouseSpec): Record<string, unknown> {
  const host = new URL(ctx.baseUrl).host;
  return {
    id: w.id,
    name: w.name,
    state: 'RUNNING',
    cluster_size: 'X-Small',
    min_num_clusters: 1,
    max_num_clusters: 1,
    auto_stop_mins: 0,
    enable_serverless_compute: true,
    warehouse_type: 'PRO',
    creator_name: ctx.state.currentUser.userName,
    num_clusters: 1,
    num_active_sessions: 0,
    jdbc_url: `jdbc:databricks://${host};httpPath=/sql/1.0/warehouses/${w.id}`,
    odbc_params: { hostname: new URL(ctx.baseUrl).hostname, path: `/sql/1.0/warehouses/${w.id}`, protocol: 'https', port: Number(new URL(ctx.baseUrl).port) },
    health: { status: 'HEALTHY' },
  };
}

/** The warehouse's Thrift endpoint (what @databricks/sql talks to), when the workspace has a SQL backend. */
async function thriftCall(ctx: HandlerContext) {
  requireWarehouse(ctx, ctx.params['id']!);
  if (!ctx.sqlWarehouse) {
    throw new HttpApiError(501, 'NOT_IMPLEMENTED', 'This workspace has no SQL backend: start it with a warehouse backend (dbx-ts local serve has one).');
  }
  return { raw: await ctx.sqlWarehouse(ctx.raw), headers: { 'content-type': 'application/x-thrift' } };
}

export const warehousesRoutes: Route[] = [
  { method: 'POST', pattern: '/sql/1.0/warehouses/{id}', body: 'raw', handle: thriftCall },
  { method: 'GET', pattern: '/api/2.0/sql/warehouses', body: 'none', handle: (ctx) => ok({ warehouses: ctx.warehouses.map((w) => render(ctx, w)) }) },
  { method: 'GET', pattern: '/api/2.0/sql/warehouses/{id}', body: 'none', handle: (ctx) => ok(render(ctx, requireWarehouse(ctx, ctx.params['id']!))) },
];
