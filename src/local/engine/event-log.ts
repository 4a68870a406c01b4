// The pipeline event log in DLT's shape: one `flow_progress` row per flow per update, with
// details.flow_progress.metrics.num_output_rows and details.flow_progress.data_quality (dropped_records and
// one entry per expectation), plus `update_progress` rows. `show quality` reads the expectations back.

import { randomUUID } from 'node:crypto';
import { redact } from '../../redaction/index.ts';
import type { EventSink, ExpectationMetric } from '../../events/types.ts';
import type { SqlClient } from '../../sql/types.ts';
import { quoteIdent, quoteLiteral } from '../../sql/quote.ts';
import type { TableUpdateResult } from './accounting.ts';
import type { Executor } from './executor.ts';
import { SYSTEM_SCHEMA, systemTable } from './system-tables.ts';

export interface FlowOrigin {
  pipeline_name: string;
  flow_name: string;
  dataset_name: string;
  update_id: string;
}

let sequence = 0;

/**
 * Events held back and written together in one INSERT: an update that skips most of its tables writes a dozen
 * events, and one statement (and commit) each cost more than the rest of such an update. Flushed before the next
 * table is computed and at the end of the update, so the log keeps the order things happened in.
 */
export class EventBatch {
  private rows: string[] = [];

  constructor(private readonly catalog: string) {}

  add(row: string): void {
    this.rows.push(row);
  }

  async flush(ex: Executor): Promise<void> {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    await ex.run(`INSERT INTO ${systemTable(this.catalog, 'event_log')} VALUES ${rows.join(',\n')}`);
  }
}

/** Where an event goes: written now, or into a batch written later. */
export type EventTarget = Executor | EventBatch;

async function writeEvent(
  to: EventTarget,
  catalog: string,
  origin: FlowOrigin,
  eventType: string,
  level: string,
  message: string,
  details: unknown,
  error?: string,
): Promise<void> {
  const originSql = `{${Object.entries(origin)
    .map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`)
    .join(', ')}}`;
  // Events of one process are ordered by `sequence`; timestamps alone tie within a millisecond.
  sequence += 1;
  const micros = Date.now() * 1000;
  // Error texts come from engines and user code, and can quote a secret: the log is a table dbx-ts writes.
  const row = `(${quoteLiteral(randomUUID())}, ${micros + (sequence % 1000)}, make_timestamp(${micros}),
      ${quoteLiteral(redact(message))}, ${quoteLiteral(level)}, ${quoteLiteral(eventType)}, ${originSql}, ${quoteLiteral(redact(JSON.stringify(details)))},
      ${error === undefined ? 'NULL' : quoteLiteral(redact(error))})`;
  if (to instanceof EventBatch) to.add(row);
  else await to.run(`INSERT INTO ${systemTable(catalog, 'event_log')} VALUES ${row}`);
}

/** DLT's flow_progress details for one table update (extra accounting keys beside DLT's own). */
export function flowProgressDetails(result: TableUpdateResult, status: 'COMPLETED' | 'FAILED'): unknown {
  return {
    flow_progress: {
      status,
      metrics: {
        num_output_rows: result.rows_inserted + result.rows_updated,
        num_upserted_rows: result.rows_updated,
      },
      data_quality: {
        dropped_records: result.rows_quarantined,
        expectations: result.expectations.map((m) => ({
          name: m.expectation,
          dataset: m.dataset,
          passed_records: m.passed_records,
          failed_records: m.failed_records,
          action: m.action,
        })),
      },
      accounting: {
        rows_read: result.rows_read,
        rows_inserted: result.rows_inserted,
        rows_updated: result.rows_updated,
        rows_quarantined: result.rows_quarantined,
        duplicates_removed: result.duplicates_removed,
        rows_filtered: result.rows_filtered,
        version: result.version,
        ...(result.files
          ? { files_taken: result.files.taken, bad_files: result.files.bad.length, files_retried: result.files.retried ?? 0, files_deferred: result.files.deferred ?? 0 }
          : {}),
      },
    },
  };
}

export async function writeFlowProgress(
  ex: Executor,
  catalog: string,
  origin: FlowOrigin,
  result: TableUpdateResult,
  status: 'COMPLETED' | 'FAILED',
  error?: string,
): Promise<void> {
  const message =
    status === 'COMPLETED'
      ? `Flow '${origin.flow_name}' has COMPLETED: ${result.rows_inserted + result.rows_updated} rows written, ${result.rows_quarantined} quarantined.`
      : `Flow '${origin.flow_name}' has FAILED${error ? `: ${error}` : ''}.`;
  await writeEvent(ex, catalog, origin, 'flow_progress', status === 'COMPLETED' ? 'INFO' : 'ERROR', message, flowProgressDetails(result, status), error);
}

/**
 * How a table is maintained in this update, in the shape of DLT's `planning_information` event: the technique
 * chosen (NO_OP when nothing it reads changed), and why the others were not.
 */
export async function writePlanningInformation(
  to: EventTarget,
  catalog: string,
  origin: FlowOrigin,
  plan: { technique: string; reason: string; skipped: boolean },
): Promise<void> {
  const message = plan.skipped ? `Flow '${origin.flow_name}' skipped: ${plan.reason}.` : `Flow '${origin.flow_name}' is maintained by ${plan.technique}: ${plan.reason}.`;
  await writeEvent(to, catalog, origin, 'planning_information', 'INFO', message, {
    planning_information: {
      technique_information: [{ maintenance_type: `MAINTENANCE_TYPE_${plan.technique}`, is_chosen: true, is_applicable: true }],
      reason: plan.reason,
      skipped: plan.skipped,
    },
  });
}

/**
 * What happened to a landing file outside the normal "taken once": left for a later update because it was
 * still being written, or tried again because it was unreadable before and has changed since.
 */
export async function writeFileEvent(
  ex: Executor,
  catalog: string,
  origin: FlowOrigin,
  status: 'deferred' | 'retried',
  message: string,
  details: { path: string; size: number; previous_size?: number },
): Promise<void> {
  await writeEvent(ex, catalog, origin, 'autoloader_file', status === 'deferred' ? 'WARN' : 'INFO', message, { autoloader_file: { status, ...details } });
}

export async function writeUpdateProgress(
  to: EventTarget,
  catalog: string,
  pipelineName: string,
  updateId: string,
  state: 'RUNNING' | 'COMPLETED' | 'FAILED',
  error?: string,
): Promise<void> {
  const origin = { pipeline_name: pipelineName, flow_name: '', dataset_name: '', update_id: updateId };
  await writeEvent(to, catalog, origin, 'update_progress', state === 'FAILED' ? 'ERROR' : 'INFO', `Update ${updateId} is ${state}.`, { update_progress: { state } }, error);
}

export interface QualityQuery {
  pipelineName?: string;
  /** One update; by default the latest update that has flow_progress events. */
  updateId?: string;
}

/**
 * Per-expectation metrics of one update, summed per dataset and expectation, read from the event log as
 * `show quality` would on Databricks (details:flow_progress.data_quality.expectations).
 */
export async function readQualityMetrics(sql: SqlClient, catalog: string, query: QualityQuery = {}): Promise<{ update_id?: string; metrics: ExpectationMetric[] }> {
  const log = `${quoteIdent(catalog)}.${quoteIdent(SYSTEM_SCHEMA)}.event_log`;
  const pipelineFilter = query.pipelineName ? 'AND origin.pipeline_name = :pipeline' : '';
  const params: Record<string, unknown> = query.pipelineName ? { pipeline: query.pipelineName } : {};
  let updateId = query.updateId;
  if (!updateId) {
    for await (const row of sql.query(
      `SELECT origin.update_id AS update_id FROM ${log} WHERE event_type = 'flow_progress' ${pipelineFilter} ORDER BY sequence DESC LIMIT 1`,
      params,
    )) {
      updateId = String(row.update_id);
    }
    if (!updateId) return { metrics: [] };
  }
  const metrics: ExpectationMetric[] = [];
  const expectationType = `'[{"name":"VARCHAR","dataset":"VARCHAR","passed_records":"BIGINT","failed_records":"BIGINT","action":"VARCHAR"}]'`;
  for await (const row of sql.query(
    `WITH e AS (
       SELECT unnest(from_json(json_extract(details, '$.flow_progress.data_quality.expectations'), ${expectationType})) AS x
       FROM ${log} WHERE event_type = 'flow_progress' AND origin.update_id = :update ${pipelineFilter})
     SELECT x.dataset AS dataset, x.name AS expectation, any_value(x.action) AS action,
            sum(x.passed_records) AS passed, sum(x.failed_records) AS failed
     FROM e GROUP BY ALL ORDER BY dataset, expectation`,
    { ...params, update: updateId },
  )) {
    const action = (row.action ?? 'warn') as ExpectationMetric['action'];
    const failed = Number(row.failed);
    metrics.push({
      dataset: String(row.dataset),
      expectation: String(row.expectation),
      action,
      passed_records: Number(row.passed),
      failed_records: failed,
      dropped_records: action === 'drop' ? failed : 0,
    });
  }
  return { update_id: updateId, metrics };
}

/** Reads the metrics back and emits them as one `quality.metrics` event. */
export async function emitQualityMetrics(sql: SqlClient, catalog: string, pipelineName: string, sink: EventSink, updateId?: string): Promise<ExpectationMetric[]> {
  const { update_id, metrics } = await readQualityMetrics(sql, catalog, { pipelineName, ...(updateId ? { updateId } : {}) });
  const failed = metrics.reduce((n, m) => n + m.failed_records, 0);
  sink({
    code: 'quality.metrics',
    level: failed > 0 ? 'warn' : 'info',
    message: `${metrics.length} expectations, ${failed} failed records${update_id ? ` (update ${update_id})` : ''}`,
    data: { ...(update_id ? { run_id: update_id } : {}), pipeline: pipelineName, metrics },
  });
  return metrics;
}
