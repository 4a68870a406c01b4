// A bundle's result views, on any target: after a successful run (local or remote) and by `dbx-ts show <name>`.
// The toolkit knows no view of its own; a bundle without views shows nothing after a run.
import { RemoteApiError, UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { Extensions } from '../extensions/registry.ts';
import type { ResultViewContext } from '../extensions/types.ts';
import type { BundleModel } from '../model/types.ts';
import type { SqlClient } from '../sql/types.ts';
import { declaredSchemaNames, type SchemaNames } from './target-schemas.ts';

export type ResultViews = Extensions['resultViews'];

/** Runs a statement and emits its rows as one table.preview event; returns the row count. */
export async function previewRows(sql: SqlClient, statement: string, title: string, table: string, sink: EventSink, known: string[] = []): Promise<number> {
  const rows: unknown[][] = [];
  let columns: string[] = known;
  for await (const row of sql.query(statement)) {
    if (rows.length === 0) columns = Object.keys(row);
    rows.push(columns.map((c) => row[c]));
  }
  if (columns.length === 0 && sql.queryColumns) columns = (await sql.queryColumns(statement)).map((c) => c.name);
  sink({ code: 'table.preview', level: 'result', message: title, data: { table, columns, rows } });
  return rows.length;
}

export interface ViewRunOptions {
  sql: SqlClient;
  model: BundleModel;
  sink: EventSink;
  trigger: ResultViewContext['trigger'];
  limit?: number;
  /** The target's schema names (default: as declared, the local target's). */
  schemas?: SchemaNames;
}

function context(opts: ViewRunOptions): ResultViewContext {
  return {
    sql: opts.sql,
    catalog: opts.model.catalog,
    model: opts.model,
    sink: opts.sink,
    trigger: opts.trigger,
    schema: opts.schemas ?? declaredSchemaNames,
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    preview: (statement, title, table) => previewRows(opts.sql, statement, title, table ?? title, opts.sink),
  };
}

/** Shows one view; a failure is the view's (its SQL, its table not there yet): a user error naming the view. */
export async function showResultView(view: ResultViews[number], opts: ViewRunOptions): Promise<void> {
  try {
    await view.props.show(context(opts));
  } catch (error) {
    if (error instanceof UserError || error instanceof RemoteApiError) throw error;
    throw new UserError(`Result view "${view.name}" failed: ${firstLine(error)}`, 'Has the job that builds its tables run on this target?');
  }
}

/** The views shown after a successful run; one that cannot be read is a warning, and the run stays a success. */
export async function showViewsAfterRun(views: ResultViews, open: () => Promise<SqlClient>, opts: Omit<ViewRunOptions, 'sql' | 'trigger'>): Promise<void> {
  const due = views.filter((v) => v.props.after_run ?? true);
  if (due.length === 0) return;
  let sql: SqlClient | undefined;
  try {
    sql = await open();
    for (const view of due) {
      try {
        await showResultView(view, { ...opts, sql, trigger: 'run' });
      } catch (error) {
        if (!(error instanceof UserError || error instanceof RemoteApiError)) throw error;
        opts.sink({ code: 'log', level: 'warn', message: `Could not show ${view.name}: ${error.message}`, data: { view: view.name } });
      }
    }
  } catch (error) {
    if (!(error instanceof UserError || error instanceof RemoteApiError)) throw error;
    const hint = error instanceof UserError && error.hint ? ` (${error.hint})` : '';
    opts.sink({ code: 'log', level: 'warn', message: `Could not show the results: ${error.message}${hint}`, data: {} });
  } finally {
    await sql?.close().catch(() => undefined);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
