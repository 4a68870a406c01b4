// dbx-ts dashboard [key] [--serve]: a dashboard of the bundle on the local target, from the local DuckDB data.
// Without --serve it writes the offline HTML file (as the job's dashboard task does); with --serve it serves the
// same page on 127.0.0.1 and pushes new data to open pages whenever the job refreshes the dashboard.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors/index.ts';
import type { BundleModel } from '../../model/types.ts';
import type { CliContext } from '../context.ts';
import { loadProject, varOption } from '../project.ts';
import { stopOnTerminate } from '../stop-signal.ts';

interface DashboardOptions {
  target?: string;
  var?: string[];
  serve?: boolean;
  port?: string;
  json?: boolean;
}

export const DEFAULT_DASHBOARD_PORT = 8787;

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DASHBOARD_PORT;
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port > 65_535) throw new UserError(`--port must be a port number (0 for a free one), got "${value}".`);
  return port;
}

/** The dashboard named, or the bundle's only one. */
function dashboardKey(model: BundleModel, key: string | undefined): string {
  const keys = Object.keys(model.resources.dashboards);
  if (key !== undefined) {
    if (!keys.includes(key)) throw new UserError(`No dashboard "${key}" in bundle "${model.bundle.name}".`, `Dashboards: ${keys.join(', ') || '(none)'}.`);
    return key;
  }
  if (keys.length === 1) return keys[0]!;
  if (keys.length === 0) throw new UserError(`Bundle "${model.bundle.name}" has no dashboard.`);
  throw new UserError(`Bundle "${model.bundle.name}" has several dashboards: name one.`, `Dashboards: ${keys.join(', ')}.`);
}

export function registerDashboard(program: Command, ctx: CliContext): void {
  varOption(
    program
      .command('dashboard [key]')
      .description('Render a dashboard of the bundle from the local data (an HTML file), or serve it live on 127.0.0.1 with --serve')
      .option('-t, --target <name>', 'target (default: the bundle default, local)'),
  )
    .option('--serve', 'serve the dashboard on 127.0.0.1 and update open pages whenever the job refreshes it, until Ctrl-C')
    .option('--port <n>', `port to serve on with --serve (default ${DEFAULT_DASHBOARD_PORT}; 0 for a free one)`)
    .option('--json', 'print events as NDJSON')
    .action(async (key: string | undefined, opts: DashboardOptions) => {
      const renderer = ctx.renderer(opts.json);
      try {
        if (opts.port !== undefined && !opts.serve) throw new UserError('--port is for --serve.');
        const port = parsePort(opts.port);
        const { model, root, env } = await loadProject(ctx, program, { target: opts.target, vars: opts.var, checks: 'resolve', missingVariables: 'ignore' }, renderer.sink);
        const dashboard = dashboardKey(model, key);
        if (!model.target.local) {
          throw new UserError(
            `dbx-ts dashboard renders the local target's dashboards; "${model.target.name}" is a workspace target.`,
            `Open the deployed dashboard instead: dbx-ts open ${dashboard} -t ${model.target.name}`,
          );
        }
        const { localPaths } = await import('../../local/paths.ts');
        const paths = localPaths(root, env);
        if (opts.serve) {
          const { serveLocalDashboard } = await import('../../local/dashboard-serve.ts');
          const stop = stopOnTerminate(ctx.signal);
          try {
            await serveLocalDashboard({ model, key: dashboard, paths, port, sink: renderer.sink, signal: stop.signal });
          } finally {
            stop.dispose();
          }
          return;
        }
        if (!existsSync(join(paths.database, `${model.catalog}.duckdb`))) {
          throw new UserError(`No local data yet for catalog ${model.catalog}.`, 'Run the job first, e.g. dbx-ts run <job>.');
        }
        const { openLocalDatabase } = await import('../../local/engine/index.ts');
        const { renderLocalDashboard } = await import('../../local/dashboard-render.ts');
        const db = await openLocalDatabase(paths.database, model.catalog);
        try {
          await renderLocalDashboard(model, dashboard, db, paths.dashboards, renderer.sink);
        } finally {
          await db.close();
        }
      } finally {
        renderer.close();
      }
    });
}
