// dbx-ts show gold|summary|quality: what the pipeline produced, on any target (local DuckDB, or the target's
// SQL warehouse and pipeline event log).
import type { Command } from 'commander';
import { UserError } from '../../errors/index.ts';
import { showGold, showSummary } from '../../local/results.ts';
import { deployedIds } from '../../run/deployed-ids.ts';
import { showLocalQuality, showRemoteQuality } from '../../run/show-quality.ts';
import { workspaceClientFor } from '../../run/target-client.ts';
import { openTargetSql } from '../../run/target-sql.ts';
import { isMissingTable } from '../../sql/missing.ts';
import type { CliContext } from '../context.ts';
import { loadTargetModel } from './runs.ts';

const WHAT = ['gold', 'summary', 'quality'] as const;
type What = (typeof WHAT)[number];

interface ShowOptions {
  target?: string;
  limit?: string;
  json?: boolean;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 10;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UserError(`--limit ${text}: expected a whole number from 1 to 10000`);
  return n;
}

export function registerShow(program: Command, ctx: CliContext): void {
  program
    .command('show <what>')
    .description('Show the top of gold, the newest summary, or data-quality metrics (gold | summary | quality)')
    .option('-t, --target <name>', 'target (default: the bundle default)')
    .option('--limit <n>', 'gold rows to show (default 10)')
    .option('--json', 'print events as NDJSON')
    .action(async (what: string, opts: ShowOptions) => {
      if (!WHAT.includes(what as What)) throw new UserError(`dbx-ts show ${what}: expected one of ${WHAT.join(', ')}`);
      const limit = parseLimit(opts.limit);
      const renderer = ctx.renderer(opts.json);
      try {
        const { model, root } = await loadTargetModel(ctx, program, opts.target, renderer.sink);
        if (what === 'quality' && !model.target.local) {
          const client = workspaceClientFor(model, ctx.env, { events: renderer.sink });
          await showRemoteQuality(client, model, deployedIds({ client, model, repoRoot: root, env: ctx.env }), renderer.sink);
          return;
        }
        const sql = await openTargetSql({ model, projectRoot: root, env: ctx.env });
        try {
          if (what === 'gold') await showGold(sql, model.catalog, renderer.sink, limit);
          else if (what === 'summary') await showSummary(sql, model.catalog, renderer.sink);
          else await showLocalQuality(sql, model, renderer.sink);
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
      } finally {
        renderer.close();
      }
    });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
