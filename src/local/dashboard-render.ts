// A dashboard of the bundle rendered on the local target: its dataset queries run on the local DuckDB database
// (the same dataset SQL the deployed dashboard runs), written as the offline HTML file and as the data snapshot
// a served dashboard (`dbx-ts dashboard --serve`) shows and watches.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderDashboardHtml } from '../dashboard/html.ts';
import { queryDashboardData } from '../dashboard/query-data.ts';
import { makeSnapshot, writeSnapshot, type DashboardSnapshot } from '../dashboard/snapshot.ts';
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { BundleModel, DashboardModel } from '../model/types.ts';
import { redact } from '../redaction/index.ts';
import type { LocalDatabase } from './engine/index.ts';

export interface RenderedDashboard {
  html: string;
  snapshot: DashboardSnapshot;
}

/** The dashboard `key` of the bundle, or a clear error naming the ones there are. */
export function dashboardOf(model: BundleModel, key: string): DashboardModel {
  const dashboard = model.resources.dashboards[key];
  if (!dashboard) {
    const keys = Object.keys(model.resources.dashboards);
    throw new UserError(`No dashboard "${key}" in bundle "${model.bundle.name}".`, `Dashboards: ${keys.join(', ') || '(none)'}.`);
  }
  return dashboard;
}

/** The dashboard's dataset_schema on the local target: a schema of the bundle by reference (declared names), or as written. */
export function localDatasetSchema(model: BundleModel, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ref = /^\$\{resources\.schemas\.([\w-]+)\.name\}$/.exec(value);
  if (ref) return model.resources.schemas[ref[1]!]?.settings.name;
  return value.includes('${') ? undefined : value;
}

/** Runs the dataset queries now; the snapshot's version changes only when the rows do. */
export async function queryLocalDashboard(model: BundleModel, key: string, db: LocalDatabase): Promise<DashboardSnapshot> {
  const dashboard = dashboardOf(model, key);
  const sql = await db.openSqlClient();
  try {
    const schema = localDatasetSchema(model, dashboard.settings['dataset_schema']);
    const data = await queryDashboardData(sql, dashboard, { catalog: model.catalog, ...(schema !== undefined ? { schema } : {}) });
    return makeSnapshot(key, data);
  } finally {
    await sql.close();
  }
}

/** Queries the dashboard's data and writes `<dir>/<key>.html` and `<dir>/<key>.json`. */
export async function renderLocalDashboard(model: BundleModel, key: string, db: LocalDatabase, dir: string, sink: EventSink): Promise<RenderedDashboard> {
  const snapshot = await queryLocalDashboard(model, key, db);
  const html = join(dir, `${key}.html`);
  await mkdir(dir, { recursive: true });
  await writeFile(html, redact(await renderDashboardHtml(dashboardOf(model, key), snapshot.data, undefined, { events: sink })));
  await writeSnapshot(dir, snapshot);
  sink({ code: 'artifact.written', level: 'info', message: `Dashboard written to ${html}`, data: { kind: 'dashboard', path: html } });
  return { html, snapshot };
}
