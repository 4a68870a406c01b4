// One pipeline update on the local engine: the given tables, in dependency order, each in its own
// transaction, bracketed by update_progress events in the event log.

import { randomUUID } from 'node:crypto';
import { UserError } from '../../errors/index.ts';
import type { EventSink, ExpectationMetric } from '../../events/types.ts';
import { silentSink } from '../../events/types.ts';
import type { TableModel } from '../../model/types.ts';
import type { TableUpdateResult } from './accounting.ts';
import { firstLine, type FileSettling } from './autoloader.ts';
import type { LocalDatabase } from './database.ts';
import { EventBatch, writeUpdateProgress } from './event-log.ts';
import { Executor } from './executor.ts';
import { displayName, parseTableName } from './names.ts';
import { dependencyOrder } from './order.ts';
import { recordQuality } from './quality-table.ts';
import { planRefresh } from './refresh-plan.ts';
import { runTable, skipTable } from './run-table.ts';
import { TABLE_KINDS, unknownKind } from '../../model/table-semantics.ts';
import type { LandingRoot } from './volumes.ts';

export interface RunTablesOptions {
  /** Must be the database's catalog; `${catalog}` in SQL and paths becomes this name. */
  catalog: string;
  /** Local folder mirroring `/Volumes/...` (or a mapping function) for Auto Loader sources. */
  landingRoot: LandingRoot;
  pipelineName: string;
  /** Defaults to a fresh UUID. */
  updateId?: string;
  sink?: EventSink;
  /** Emit each SQL statement as a debug `log` event. */
  traceSql?: boolean;
  /** `schema.table` that receives the update's quality rows (notebook-built tables, as on Databricks). */
  qualityTable?: string;
  /** When a landing file counts as complete (default: unchanged for 1 s); tests pass a virtual clock. */
  settling?: FileSettling;
  /** Cancels the update: the running statement is interrupted (its table left as it was) and nothing else runs. */
  signal?: AbortSignal;
}

export interface UpdateResult {
  update_id: string;
  pipeline_name: string;
  tables: TableUpdateResult[];
  duration_ms: number;
}

export async function runTables(db: LocalDatabase, tables: readonly TableModel[], options: RunTablesOptions): Promise<UpdateResult> {
  if (options.catalog !== db.catalog) {
    throw new UserError(`The update is for catalog ${options.catalog}, but the local database holds ${db.catalog}.`);
  }
  const sink = options.sink ?? silentSink;
  const updateId = options.updateId ?? randomUUID();
  const started = Date.now();
  // Never run a table as another kind than the one declared (validate names the closest kind).
  for (const t of tables) if (!TABLE_KINDS.includes(t.kind)) unknownKind(t);
  // Definitions that skipped `resolve` may omit empty expectation lists.
  const ordered = dependencyOrder(
    tables.map((t) => ({ ...t, expectations: (t.expectations as TableModel['expectations'] | undefined) ?? [] })),
    options.catalog,
  );
  const sameUpdate = new Set(ordered.map((t) => displayName(parseTableName(t.name, options.catalog))));
  const connection = await db.connect();
  const ex = new Executor(connection, options.traceSql ? sink : undefined, options.signal);
  const results: TableUpdateResult[] = [];
  // The update's own events and those of skipped tables go in together, before the next table is computed.
  const events = new EventBatch(options.catalog);
  try {
    await writeUpdateProgress(events, options.catalog, options.pipelineName, updateId, 'RUNNING');
    try {
      for (const table of ordered) {
        const ref = parseTableName(table.name, options.catalog);
        const refresh = await planRefresh(ex, table, ref, options);
        const event = { update_id: updateId, table: displayName(ref), technique: refresh.technique, reason: refresh.reason, skipped: refresh.skip };
        sink({ code: 'table.refresh', level: 'info', message: refresh.skip ? `${displayName(ref)}: skipped: ${refresh.reason}` : `${displayName(ref)}: ${refresh.technique} (${refresh.reason})`, data: event });
        if (refresh.skip) {
          results.push(await skipTable(events, table, ref, refresh, options.catalog, options.pipelineName, updateId));
          continue;
        }
        await events.flush(ex);
        const result = await runTable(ex, table, {
          refresh,
          catalog: options.catalog,
          landingRoot: options.landingRoot,
          updateId,
          updateTs: timestampLiteral(new Date()),
          pipelineName: options.pipelineName,
          sameUpdate,
          warn: (message) => sink({ code: 'log', level: 'warn', message, data: { table: table.name, update_id: updateId } }),
          info: (message) => sink({ code: 'log', level: 'info', message, data: { table: table.name, update_id: updateId } }),
          ...(options.settling ? { settling: options.settling } : {}),
        }).finally(async () => {
          for (const sql of refresh.incremental?.cleanup ?? []) await ex.run(sql);
        });
        results.push(result);
        sink({ code: 'log', level: 'info', message: describeResult(result), data: { update_id: updateId, ...result } });
      }
    } catch (error) {
      await writeUpdateProgress(events, options.catalog, options.pipelineName, updateId, 'FAILED', firstLine(error));
      await events.flush(ex).catch(() => {});
      throw error;
    }
    if (options.qualityTable) await recordQuality(ex, options.catalog, options.qualityTable, updateId, results.flatMap((r) => r.expectations));
    await writeUpdateProgress(events, options.catalog, options.pipelineName, updateId, 'COMPLETED');
    await events.flush(ex);
  } finally {
    connection.closeSync();
  }
  const metrics: ExpectationMetric[] = results.flatMap((r) => r.expectations);
  const failed = metrics.reduce((n, m) => n + m.failed_records, 0);
  sink({
    code: 'quality.metrics',
    level: failed > 0 ? 'warn' : 'info',
    message: `${options.pipelineName}: ${metrics.length} expectations, ${failed} failed records`,
    data: { run_id: updateId, pipeline: options.pipelineName, metrics },
  });
  return { update_id: updateId, pipeline_name: options.pipelineName, tables: results, duration_ms: Date.now() - started };
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, for TIMESTAMP literals. */
export function timestampLiteral(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

function describeResult(r: TableUpdateResult): string {
  if (r.refresh?.technique === 'NO_OP') return `${r.table}: skipped: ${r.refresh.reason}`;
  const parts = [`read ${r.rows_read}`, `inserted ${r.rows_inserted}`];
  if (r.rows_updated) parts.push(`updated ${r.rows_updated}`);
  if (r.rows_quarantined) parts.push(`quarantined ${r.rows_quarantined}`);
  if (r.duplicates_removed) parts.push(`duplicates removed ${r.duplicates_removed}`);
  if (r.rows_filtered) parts.push(`filtered ${r.rows_filtered}`);
  if (r.files?.bad.length) parts.push(`bad files ${r.files.bad.length}`);
  if (r.files?.retried) parts.push(`files tried again ${r.files.retried}`);
  if (r.files?.deferred) parts.push(`files still being written ${r.files.deferred}`);
  return `${r.table}: ${parts.join(', ')} (${r.duration_ms} ms)`;
}
