// dbx-ts show <what>: what the pipeline produced, on any target (local DuckDB, or the target's SQL warehouse
// and pipeline event log). `quality` is the data-quality counts; a result view's name shows that view (the
// bundle declares them); a table of the bundle, named as declared (`silver.orders`), shows its first rows.
import type { Command } from 'commander';
import { UserError } from '../../errors/index.ts';
import { deployedIds } from '../../run/deployed-ids.ts';
import { showResultView } from '../../run/result-views.ts';
import { showLocalQuality, showRemoteQuality } from '../../run/show-quality.ts';
import { bundleTableNames, findBundleTable, showTable } from '../../run/show-table.ts';
import { workspaceClientFor } from '../../run/target-client.ts';
import { targetSchemaNames } from '../../run/target-schemas.ts';
import { openTargetSql } from '../../run/target-sql.ts';
import { isMissingTable } from '../../sql/missing.ts';
import type { CliContext } from '../context.ts';
import { outputOption, renderRequest } from '../output.ts';
import { varOption } from '../project.ts';
import { resultsDocument, type Renderer } from '../render/renderer.ts';
import { loadTargetModel } from './runs.ts';

interface ShowOptions {
  target?: string;
  var?: string[];
  limit?: string;
  json?: boolean;
  output?: string;
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UserError(`--limit ${text}: expected a whole number from 1 to 10000`);
  return n;
}

export function registerShow(program: Command, ctx: CliContext): void {
  outputOption(varOption(
    program
      .command('show <what>')
      .description("Show data-quality counts (quality), one of the bundle's result views by name, or the first rows of a table of the bundle (schema.table)")
      .option('-t, --target <name>', 'target (default: the bundle default)'),
  ), 'output type: text, or json for the rows (objects keyed by column) or the quality counts')
    .option('--limit <n>', 'rows to show (default 10)')
    .option('--json', 'print events as NDJSON')
    .action(async (what: string, opts: ShowOptions) => {
      const limit = parseLimit(opts.limit);
      const renderer = ctx.renderer(renderRequest(opts));
      try {
        await show(what, opts, limit, renderer.sink);
        renderer.document(resultsDocument(renderer.results));
      } finally {
        renderer.close();
      }
    });

  async function show(what: string, opts: ShowOptions, limit: number | undefined, sink: Renderer['sink']): Promise<void> {
    const { model, extensions, root, env } = await loadTargetModel(ctx, program, opts, sink);
    const view = extensions.resultViews.find((v) => v.name === what);
    const table = what === 'quality' || view ? undefined : findBundleTable(model, what);
    if (what !== 'quality' && !view && !table) {
      const views = extensions.resultViews.map((v) => `${v.name} (${v.props.description})`);
      throw new UserError(
        `dbx-ts show ${what}: not a result view or a table of bundle "${model.bundle.name}".`,
        [`Show one of: quality${views.length > 0 ? `; views: ${views.join(', ')}` : ''}`, `tables: ${bundleTableNames(model).join(', ') || '(none)'}.`].join('; ') +
          ' For any other SQL, use dbx-ts query.',
      );
    }
    if (what === 'quality' && !model.target.local) {
      const client = workspaceClientFor(model, env, { events: sink });
      await showRemoteQuality(client, model, deployedIds({ client, model, repoRoot: root, env }), sink);
      return;
    }
    // Where this target keeps the bundle's tables (development mode: the user's own schemas).
    const schemas = await targetSchemaNames(model, () => workspaceClientFor(model, env, { events: sink }).scim.me());
    const sql = await openTargetSql({ model, projectRoot: root, env });
    try {
      if (view) await showResultView(view, { sql, model, sink: sink, trigger: 'show', schemas, ...(limit !== undefined ? { limit } : {}) });
      else if (table) await showTable(sql, model, table, limit ?? 10, sink, schemas);
      else await showLocalQuality(sql, model, sink);
    } catch (error) {
      // Nothing produced yet (the job never ran on this target): a usage error, not a crash.
      if (!isMissingTable(error)) throw error;
      throw new UserError(
        `Nothing to show for "${what}" on target ${model.target.name} yet: ${firstLine(error)}`,
        `Run the job first (dbx-ts run <job-key>${model.target.local ? '' : ` -t ${model.target.name}`}).`,
      );
    } finally {
      await sql.close();
    }
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
