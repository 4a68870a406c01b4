// dbx-ts query "<sql>": runs one statement on the target (the local DuckDB database, or the target's SQL
// warehouse) and streams the rows as a table, JSON, NDJSON or CSV.
import { Option, type Command } from 'commander';
import { RemoteApiError, UserError } from '../../errors/index.ts';
import { parseJobParams } from '../../run/options.ts';
import { workspaceClientFor } from '../../run/target-client.ts';
import { openTargetSql } from '../../run/target-sql.ts';
import { declaredSchemaNames, targetSchemaNames, targetSqlText } from '../../run/target-schemas.ts';
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from '../../sql/format.ts';
import type { SqlRow } from '../../sql/types.ts';
import type { CliContext } from '../context.ts';
import { varOption } from '../project.ts';
import { loadTargetModel } from './runs.ts';

interface QueryOptions {
  target?: string;
  var?: string[];
  output?: string;
  /** The spelling before -o (kept working, hidden from help). */
  format?: string;
  param?: string[];
}

/** `-o` as every dbx-ts command spells it; `text` is the table, as for the other commands. */
function parseFormat(opts: QueryOptions): OutputFormat {
  if (opts.output !== undefined && opts.format !== undefined) throw new UserError('-o and --format name the same thing: give one');
  const text = opts.output ?? opts.format;
  const flag = opts.output !== undefined ? '--output' : '--format';
  const format = (text === undefined || text === 'text' ? 'table' : text.toLowerCase()) as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw new UserError(`${flag} ${text}: expected one of ${OUTPUT_FORMATS.join(', ')}`);
  return format;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The statement is the user's: an engine's own error about it (syntax, unknown table) is a usage error. */
async function* userFacing(rows: AsyncIterable<SqlRow>): AsyncGenerator<SqlRow> {
  try {
    yield* rows;
  } catch (error) {
    if (error instanceof UserError || error instanceof RemoteApiError || !(error instanceof Error)) throw error;
    throw new UserError(`The query failed: ${error.message}`);
  }
}

export function registerQuery(program: Command, ctx: CliContext): void {
  varOption(
    program
      .command('query <sql>')
      .description('Run a SQL statement on the target (local DuckDB, or the target\'s SQL warehouse) and print the rows')
      .option('-t, --target <name>', 'target (default: the bundle default)'),
  )
    .option('-o, --output <format>', `output format: ${OUTPUT_FORMATS.join(', ')} (default table)`)
    .addOption(new Option('--format <format>', 'the former spelling of -o').hideHelp())
    .option('--param <name=value>', 'a value for the :name parameter marker (repeatable)', collect)
    .action(async (sql: string, opts: QueryOptions) => {
      const format = parseFormat(opts);
      const params = parseJobParams(opts.param);
      const renderer = ctx.renderer(false);
      try {
        const { model, root, env } = await loadTargetModel(ctx, program, opts, renderer.sink);
        // `${catalog}.<schema>` names the target's own tables; the current user is asked only when the SQL uses it.
        const names = sql.includes('${catalog}') ? await targetSchemaNames(model, () => workspaceClientFor(model, env, { events: renderer.sink }).scim.me()) : declaredSchemaNames;
        const statement = targetSqlText(sql, model, names);
        const client = await openTargetSql({ model, projectRoot: root, env });
        try {
          for await (const text of formatRows(userFacing(client.query(statement, params)), format)) ctx.stdout.write(text);
        } finally {
          await client.close();
        }
      } finally {
        renderer.close();
      }
    });
}
