// Persists summaries to `${catalog}.gold.sales_summary`, one row per run, in SQL both engines accept.
import type { SummaryRow } from './summarize.ts';
import { queryAll, type SqlQueryRunner } from '../../../src/index.ts';
import { sqlStringLiteral, withCatalog } from './sql-text.ts';
import { toTimestampText } from './values.ts';

/** The summary table, with a `${catalog}` placeholder; exported for the notebook generator. */
export const SALES_SUMMARY_DDL = `CREATE TABLE IF NOT EXISTS \${catalog}.gold.sales_summary (
  generated_at TIMESTAMP,
  period_start TIMESTAMP,
  period_end TIMESTAMP,
  model STRING,
  prompt_version STRING,
  summary_text STRING,
  metrics_json STRING
)`;

export const SALES_SUMMARY_COLUMNS = [
  'generated_at',
  'period_start',
  'period_end',
  'model',
  'prompt_version',
  'summary_text',
  'metrics_json',
] as const;

/** The INSERT for one row; values are literals (see sqlStringLiteral), so no driver parameter syntax is needed. */
export function summaryInsertSql(catalog: string, row: SummaryRow): string {
  const values = [
    timestampLiteral(row.generated_at),
    timestampLiteral(row.period_start),
    timestampLiteral(row.period_end),
    sqlStringLiteral(row.model),
    sqlStringLiteral(row.prompt_version),
    sqlStringLiteral(row.text),
    sqlStringLiteral(JSON.stringify(row.metrics)),
  ];
  return withCatalog(
    `INSERT INTO \${catalog}.gold.sales_summary (${SALES_SUMMARY_COLUMNS.join(', ')})\nVALUES (${values.join(', ')})`,
    catalog,
  );
}

/** Creates the table when missing and appends the row. */
export async function writeSummaryRow(sql: SqlQueryRunner, catalog: string, row: SummaryRow): Promise<void> {
  await queryAll(sql, withCatalog(SALES_SUMMARY_DDL, catalog));
  await queryAll(sql, summaryInsertSql(catalog, row));
}

function timestampLiteral(value: string | null): string {
  // ISO `2024-01-15T10:30:00.000Z` becomes `2024-01-15 10:30:00.000`, which both engines cast without a zone.
  const text = toTimestampText(value);
  return text === null ? 'NULL' : `CAST(${sqlStringLiteral(text)} AS TIMESTAMP)`;
}
