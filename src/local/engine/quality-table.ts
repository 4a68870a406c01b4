// The quality table of notebook-built tables on the local target: the same `<schema>.dbx_ts_quality` rows the
// generated notebook appends on Databricks (one per rule; the local engine runs a table in one batch), so the
// same query answers on both. Written on the update's own connection, after its tables.
import type { ExpectationMetric } from '../../events/types.ts';
import { QUALITY_TABLE_COLUMNS } from '../../model/table-semantics.ts';
import { quoteIdent, quoteLiteral } from '../../sql/quote.ts';
import type { Executor } from './executor.ts';

/** Appends `metrics` of update `updateId` to `<catalog>.<qualityTable>` (`schema.table`), creating it if needed. */
export async function recordQuality(ex: Executor, catalog: string, qualityTable: string, updateId: string, metrics: readonly ExpectationMetric[]): Promise<void> {
  if (metrics.length === 0) return;
  const [schema, table] = qualityTable.split('.') as [string, string];
  const name = `${quoteIdent(catalog)}.${quoteIdent(schema)}.${quoteIdent(table)}`;
  await ex.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(catalog)}.${quoteIdent(schema)}`);
  await ex.run(`CREATE TABLE IF NOT EXISTS ${name} (${QUALITY_TABLE_COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
  const rows = metrics.map((m) =>
    [quoteLiteral(updateId), quoteLiteral(m.dataset), quoteLiteral(m.expectation), quoteLiteral(m.action), '0', m.passed_records, m.failed_records, m.dropped_records, 'now()::TIMESTAMP'].join(', '),
  );
  await ex.run(`INSERT INTO ${name} VALUES ${rows.map((r) => `(${r})`).join(', ')}`);
}
