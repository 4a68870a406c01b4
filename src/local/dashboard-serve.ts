// `dbx-ts dashboard --serve` on the local target: the dashboard on 127.0.0.1, kept current. It starts from the
// local database (or, while a running job holds that database, from the data its dashboard task last wrote) and
// then follows the snapshot each run of the job's dashboard task writes, so `run --continuous` in another
// terminal updates open pages within moments of gold changing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDashboardServer, type DashboardData, type LiveDashboardServer } from '../dashboard/live-server.ts';
import { readSnapshot, snapshotFile, watchSnapshot } from '../dashboard/snapshot.ts';
import type { EventSink } from '../events/types.ts';
import type { BundleModel } from '../model/types.ts';
import { dashboardOf, renderLocalDashboard } from './dashboard-render.ts';
import { openLocalDatabase, type LocalDatabase } from './engine/index.ts';
import type { LocalPaths } from './paths.ts';

export interface ServeDashboardOptions {
  model: BundleModel;
  key: string;
  paths: LocalPaths;
  /** 0 picks a free port. */
  port: number;
  sink: EventSink;
  /** Serving stops when it aborts. */
  signal: AbortSignal;
  /** Called once the server listens (tests and benchmarks use it to find the URL). */
  onListening?: (server: LiveDashboardServer) => void;
}

const NO_DATA: DashboardData = { version: 'none', data: {} };

/** The data to start with: queried now when the database is free, else the last snapshot, else none yet. */
async function initialData(opts: ServeDashboardOptions): Promise<DashboardData> {
  const { model, key, paths, sink } = opts;
  const info = (message: string) => sink({ code: 'log', level: 'info', message, data: {} });
  if (existsSync(join(paths.database, `${model.catalog}.duckdb`))) {
    let db: LocalDatabase | undefined;
    try {
      db = await openLocalDatabase(paths.database, model.catalog);
    } catch (error) {
      // Another process holds it (DuckDB allows one): a running job, whose dashboard task writes the snapshot.
      info(`${(error as Error).message.split('\n')[0]} Showing the data the job's dashboard task wrote last, and following it.`);
    }
    if (db) {
      try {
        return (await renderLocalDashboard(model, key, db, paths.dashboards, sink)).snapshot;
      } catch (error) {
        sink({ code: 'log', level: 'warn', message: `Dashboard ${key}: its datasets cannot be queried yet (${(error as Error).message.split('\n')[0]}); run the job first.`, data: {} });
      } finally {
        await db.close();
      }
    }
  }
  const last = readSnapshot(snapshotFile(paths.dashboards, key));
  if (last) return last;
  info(`No data for dashboard ${key} yet: run the job that refreshes it (its page updates when the job's dashboard task runs).`);
  return NO_DATA;
}

/** Serves until the signal aborts; resolves once the server is closed. */
export async function serveLocalDashboard(opts: ServeDashboardOptions): Promise<void> {
  const { key, sink, signal } = opts;
  const dashboard = dashboardOf(opts.model, key);
  if (signal.aborted) return;
  const initial = await initialData(opts);
  const server = await startDashboardServer({ model: dashboard, port: opts.port, initial, events: sink });
  try {
    sink({ code: 'dashboard.served', level: 'info', message: `Serving dashboard ${key} at ${server.url} (Ctrl-C to stop)`, data: { dashboard: key, url: server.url } });
    opts.onListening?.(server);
    const file = snapshotFile(opts.paths.dashboards, key);
    watchSnapshot(file, signal, (snapshot) => {
      server.show(snapshot);
      sink({
        code: 'dashboard.updated',
        level: 'info',
        message: `Dashboard ${key} updated (data ${snapshot.version}, ${server.clients()} open page${server.clients() === 1 ? '' : 's'})`,
        data: { dashboard: key, version: snapshot.version, clients: server.clients() },
      });
    });
    // A snapshot written while the server was starting (show() ignores the version it already has).
    const latest = readSnapshot(file);
    if (latest) server.show(latest);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    await server.close();
    sink({ code: 'log', level: 'info', message: `Stopped serving dashboard ${key}.`, data: {} });
  }
}
