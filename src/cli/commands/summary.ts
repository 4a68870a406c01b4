// dbx-ts summary | open <key>: the bundle's resources on a target as the last deploy recorded them (key, id,
// URL, state), and one resource's page in the workspace: printed, and opened in a browser where there is one.
import type { Command } from 'commander';
import { UserError } from '../../errors/index.ts';
import type { EventSink } from '../../events/types.ts';
import { readDeployState } from '../../run/deployed-ids.ts';
import { findResource, summarize, type BundleSummary } from '../../run/summary.ts';
import { workspaceClientFor } from '../../run/target-client.ts';
import type { CliContext } from '../context.ts';
import { outputOption, renderRequest } from '../output.ts';
import { varOption } from '../project.ts';
import { formatTable } from '../render/table.ts';
import { loadTargetModel } from './runs.ts';

interface SummaryOptions {
  target?: string;
  var?: string[];
  output?: string;
  json?: boolean;
}

async function bundleSummary(ctx: CliContext, program: Command, opts: SummaryOptions, sink: EventSink): Promise<BundleSummary> {
  const { model, root, env } = await loadTargetModel(ctx, program, opts, sink);
  if (model.target.local) {
    // The local target deploys to the local workspace (.dbx-ts/local-workspace), which has no pages to link to.
    const { openLocalWorkspace } = await import('../../deploy/local.ts');
    const local = await openLocalWorkspace(root, { events: sink, command: 'dbx-ts summary' });
    try {
      const { state, root: rootPath } = await readDeployState({ client: local.client, model, repoRoot: root, env });
      return summarize(model, state.resources, { root_path: rootPath });
    } finally {
      await local.close();
    }
  }
  const client = workspaceClientFor(model, env, { events: sink });
  const { state, root: rootPath } = await readDeployState({ client, model, repoRoot: root, env });
  return summarize(model, state.resources, { host: client.host, root_path: rootPath });
}

function summaryText(summary: BundleSummary): string {
  const head = [`Bundle ${summary.bundle}, target ${summary.target}`, ...(summary.host ? [`Host: ${summary.host}`] : []), ...(summary.root_path ? [`Path: ${summary.root_path}`] : [])];
  const rows = summary.resources.map((r) => [`${r.kind}.${r.key}`, r.state, r.id ?? '', r.url ?? '']);
  return `${head.join('\n')}\n${formatTable(['resource', 'state', 'id', 'url'], rows)}\n`;
}

/** Whether a browser can be opened here: a desktop session, and a person at the terminal. */
function hasBrowser(ctx: CliContext): boolean {
  if (!ctx.stdout.isTTY || ctx.env['CI']) return false;
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(ctx.env['DISPLAY'] || ctx.env['WAYLAND_DISPLAY'] || ctx.env['BROWSER']);
}

export function registerSummary(program: Command, ctx: CliContext): void {
  outputOption(
    varOption(
      program
        .command('summary')
        .description("Every resource of the bundle on the target: its key, id, URL and state (deployed, not deployed, removed from the bundle)")
        .option('-t, --target <name>', 'target (default: the bundle default)'),
    ),
    'output type: text, or json for the summary document',
  ).action(async (opts: SummaryOptions) => {
    const renderer = ctx.renderer(renderRequest(opts));
    try {
      const summary = await bundleSummary(ctx, program, opts, renderer.sink);
      if (renderer.wantsDocument) renderer.document(summary);
      else ctx.stdout.write(summaryText(summary));
    } finally {
      renderer.close();
    }
  });

  varOption(
    program
      .command('open <key>')
      .description("Print the workspace URL of a deployed resource, and open it in a browser where there is one")
      .option('-t, --target <name>', 'target (default: the bundle default)'),
  ).action(async (key: string, opts: SummaryOptions) => {
    const renderer = ctx.renderer();
    try {
      const summary = await bundleSummary(ctx, program, opts, renderer.sink);
      const found = findResource(summary, key);
      if (found.length === 0) {
        throw new UserError(`No resource "${key}" in bundle "${summary.bundle}".`, `Resources: ${summary.resources.map((r) => r.key).join(', ') || '(none)'}.`);
      }
      if (found.length > 1) throw new UserError(`"${key}" names several resources (${found.map((r) => `${r.kind}.${r.key}`).join(', ')})`, 'Name it with its kind, e.g. jobs.' + key);
      const resource = found[0]!;
      if (resource.id === undefined) {
        throw new UserError(`${resource.kind}.${resource.key} is not deployed to target "${summary.target}".`, `Deploy the bundle first: dbx-ts deploy -t ${summary.target}`);
      }
      if (resource.url === undefined) {
        throw new UserError(
          summary.host ? `${resource.kind}.${resource.key} has no page in the workspace (id ${resource.id}).` : `Target "${summary.target}" is local: its resources have no pages to open.`,
        );
      }
      ctx.stdout.write(`${resource.url}\n`);
      if (!hasBrowser(ctx)) return;
      try {
        const { default: open } = await import('open');
        await open(resource.url);
      } catch (error) {
        renderer.sink({ code: 'log', level: 'warn', message: `Could not open a browser (${(error as Error).message}); the URL is above.`, data: {} });
      }
    } finally {
      renderer.close();
    }
  });
}
