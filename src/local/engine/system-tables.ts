// Bookkeeping tables in `<catalog>._system`: what Databricks keeps in checkpoints, the pipeline event log
// and Delta history. Kept in the same database file, so they commit or roll back with the data.

import type { Executor } from './executor.ts';
import { quoteIdent } from '../../sql/quote.ts';

export const SYSTEM_SCHEMA = '_system';
export const STANDARD_SCHEMAS = ['bronze', 'silver', 'gold', SYSTEM_SCHEMA] as const;

export function systemTable(catalog: string, table: SystemTable): string {
  return `${quoteIdent(catalog)}.${quoteIdent(SYSTEM_SCHEMA)}.${quoteIdent(table)}`;
}

export type SystemTable = keyof typeof SYSTEM_TABLE_COLUMNS;

const SYSTEM_TABLE_COLUMNS = {
  /** Auto Loader checkpoint: every file a consumer has taken, good or bad; a file is taken once (a bad file again
   *  once it changes: the newest row of a path counts). */
  autoloader_files: `consumer VARCHAR, path VARCHAR, size BIGINT, mtime_ms BIGINT, status VARCHAR, num_rows BIGINT,
     update_id VARCHAR, processed_at TIMESTAMP`,
  /** Files Auto Loader could not read, with the reader's error; the run went on without them. */
  bad_files: `consumer VARCHAR, path VARCHAR, size BIGINT, mtime_ms BIGINT, error VARCHAR, update_id VARCHAR, recorded_at TIMESTAMP`,
  /** The schema Auto Loader inferred on a consumer's first run; later columns are rescued, not added. */
  autoloader_schemas: `consumer VARCHAR, columns VARCHAR, inferred_from VARCHAR, created_at TIMESTAMP`,
  /** How far each streaming consumer has read each source table (its highest `_commit_version`). */
  stream_offsets: `consumer VARCHAR, source VARCHAR, version BIGINT, update_id VARCHAR, updated_at TIMESTAMP`,
  /** One row per write to a table, like Delta's DESCRIBE HISTORY; also numbers commit versions. */
  table_history: `table_name VARCHAR, version BIGINT, update_id VARCHAR, operation VARCHAR, rows_written BIGINT, ts TIMESTAMP`,
  /** What each table was last computed from: its definition's hash and its inputs' versions (JSON), and how. */
  refresh_state: `table_name VARCHAR, definition_hash VARCHAR, inputs VARCHAR, technique VARCHAR, update_id VARCHAR, refreshed_at TIMESTAMP`,
  /** What a derived task (a summary, a dashboard) last ran on: a fingerprint of the schemas it reads. */
  task_refresh: `task_key VARCHAR, fingerprint VARCHAR, run_id VARCHAR, refreshed_at TIMESTAMP`,
  /** The pipeline event log, in the shape of DLT's event_log(): details is a JSON string. */
  event_log: `id VARCHAR, sequence BIGINT, "timestamp" TIMESTAMP, message VARCHAR, level VARCHAR, event_type VARCHAR,
     origin STRUCT(pipeline_name VARCHAR, flow_name VARCHAR, dataset_name VARCHAR, update_id VARCHAR),
     details VARCHAR, error VARCHAR`,
} as const;

export async function ensureSystemTables(ex: Executor, catalog: string): Promise<void> {
  for (const schema of STANDARD_SCHEMAS) {
    await ex.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(catalog)}.${quoteIdent(schema)}`);
  }
  for (const [name, columns] of Object.entries(SYSTEM_TABLE_COLUMNS)) {
    await ex.run(`CREATE TABLE IF NOT EXISTS ${systemTable(catalog, name as SystemTable)} (${columns})`);
  }
}
