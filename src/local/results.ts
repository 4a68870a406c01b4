// Reading what the pipeline produced: the top of gold, the newest summary, data-quality counts.
import type { EventSink } from '../events/types.ts';
import type { SqlClient } from '../sql/types.ts';

async function preview(sql: SqlClient, statement: string, table: string, title: string, sink: EventSink): Promise<number> {
  const rows: unknown[][] = [];
  let columns: string[] = [];
  for await (const row of sql.query(statement)) {
    if (columns.length === 0) columns = Object.keys(row);
    rows.push(columns.map((c) => row[c]));
  }
  sink({ code: 'table.preview', level: 'result', message: title, data: { table, columns, rows } });
  return rows.length;
}

/** Whether `<catalog>.<schema>.<table>` exists, so results of bundles without it are skipped, not errors. */
export async function tableExists(sql: SqlClient, catalog: string, schema: string, table: string): Promise<boolean> {
  for await (const _row of sql.query(
    'SELECT 1 FROM information_schema.tables WHERE table_catalog = :catalog AND table_schema = :schema AND table_name = :table',
    { catalog, schema, table },
  )) {
    return true;
  }
  return false;
}

export async function showGold(sql: SqlClient, catalog: string, sink: EventSink, limit = 10): Promise<number> {
  const table = `${catalog}.gold.sales_enriched`;
  return preview(
    sql,
    `SELECT transaction_id, transaction_ts, product_name, category, store_name, quantity, total_revenue, source FROM ${table} ORDER BY transaction_ts DESC, transaction_id LIMIT ${Math.max(1, Math.floor(limit))}`,
    table,
    `First rows of ${table}:`,
    sink,
  );
}

export async function showSummary(sql: SqlClient, catalog: string, sink: EventSink): Promise<boolean> {
  for await (const row of sql.query(`SELECT summary_text, model, generated_at FROM ${catalog}.gold.sales_summary ORDER BY generated_at DESC LIMIT 1`)) {
    sink({
      code: 'summary.text',
      level: 'result',
      message: `Latest summary (${String(row['generated_at'])}):`,
      data: { model: String(row['model']), text: String(row['summary_text']) },
    });
    return true;
  }
  sink({ code: 'log', level: 'warn', message: 'No summary yet: run the job first.', data: {} });
  return false;
}
