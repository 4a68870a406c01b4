// One table, one update. Reading happens first, outside any transaction: open the input, enforce the schema
// and expectations into a staging table, count. Then one transaction writes: quarantine, target, history,
// consumed files or offsets and the flow_progress event, and checks that the counts add up.
// (DuckDB is markedly slower on a staging table created inside the transaction that reads it.)

import { ExpectationFailedError, RunFailedError, UserError } from '../../errors/index.ts';
import type { ExpectationMetric } from '../../events/types.ts';
import type { TableModel } from '../../model/types.ts';
import type { TableUpdateResult } from './accounting.ts';
import { badFilesReport, checkIdentity, emptyCounts } from './accounting.ts';
import type { BadFile } from './autoloader.ts';
import { firstLine } from './autoloader.ts';
import type { FlowOrigin } from './event-log.ts';
import { writeFlowProgress, writePlanningInformation, type EventTarget } from './event-log.ts';
import type { Executor } from './executor.ts';
import { COMMIT_VERSION, currentVersion, recordVersion } from './history.ts';
import type { TableRef } from './names.ts';
import { displayName, parseTableName, shortName, sqlName } from './names.ts';
import { isPassThrough, tableSemantics } from '../../model/table-semantics.ts';
import type { StagePlan } from './quality.ts';
import type { IncrementalRefresh } from './incremental-plan.ts';
import { writeIncremental } from './incremental-write.ts';
import type { RefreshDecision } from './refresh-plan.ts';
import { saveRefreshRecord } from './refresh-state.ts';
import { CLEAN, planStage, QUARANTINED } from './quality.ts';
import type { SourceContext, SourceRelation } from './source.ts';
import { openSource } from './source.ts';
import { appendRows, quarantineRows, replaceTable, replaceView, upsertRows } from './writers.ts';

const STAGE = '__dbx_stage';
const SAMPLE_SIZE = 5;

export interface TableRunContext extends SourceContext {
  pipelineName: string;
  /** How this update maintains the table (refresh-plan.ts); recorded with the write. */
  refresh: RefreshDecision;
}

/** The input of one update, read and checked, waiting to be written. */
interface Prepared {
  source: SourceRelation;
  /** Set when rows went through the staging table. */
  staged?: { plan: StagePlan; tally: StageTally };
  /** Set when the rules are checked on the written table instead (checkedInPlace). */
  inPlace?: StagePlan;
}

interface StageTally {
  filtered: number;
  rejected: number;
  valid: number;
}

export async function runTable(ex: Executor, table: TableModel, ctx: TableRunContext): Promise<TableUpdateResult> {
  const started = Date.now();
  const ref = parseTableName(table.name, ctx.catalog);
  // Filled in as the update goes, so a failure is still logged with what was counted.
  const result = emptyResult(table, ref, { technique: ctx.refresh.technique, reason: ctx.refresh.reason });
  const origin = flowOrigin(ref, ctx.pipelineName, ctx.updateId);
  let unreadable: BadFile[] = [];
  try {
    for (let attempt = 0; ; attempt++) {
      // An incremental refresh reads the rewritten query: only new rows, or only the rows of changed keys.
      const incremental = ctx.refresh.incremental;
      const source = await openSource(ex, incremental ? { ...table, query: incremental.sql } : table, ref, { ...ctx, unreadable, origin });
      try {
        const prepared = await prepare(ex, table, ref, source, ctx, result);
        return await ex.transaction(async () => {
          if (table.kind !== 'streaming_table') await writePlanningInformation(ex, ctx.catalog, origin, { ...ctx.refresh, skipped: false });
          await write(ex, table, ref, prepared, ctx, result);
          await saveRefreshRecord(ex, ctx.catalog, ref, ctx.refresh.record, ctx.updateId);
          result.duration_ms = Date.now() - started;
          await writeFlowProgress(ex, ctx.catalog, origin, result, 'COMPLETED');
          return result;
        });
      } catch (error) {
        // A file whose footer reads but whose data does not fails the whole read: find it, set it aside, retry.
        if (attempt === 0 && source.findUnreadable && !isDomainError(error)) {
          unreadable = await source.findUnreadable(ex);
          if (unreadable.length > 0) continue;
        }
        throw error;
      } finally {
        await ex.run(`DROP TABLE IF EXISTS ${STAGE}`);
      }
    }
  } catch (error) {
    result.duration_ms = Date.now() - started;
    await writeFlowProgress(ex, ctx.catalog, origin, result, 'FAILED', firstLine(error)).catch(() => {});
    throw error;
  }
}

function flowOrigin(ref: TableRef, pipelineName: string, updateId: string): FlowOrigin {
  return { pipeline_name: pipelineName, flow_name: shortName(ref), dataset_name: shortName(ref), update_id: updateId };
}

/** A table nothing it reads has changed for: not read, not written; the event log says so. */
export async function skipTable(
  events: EventTarget,
  table: TableModel,
  ref: TableRef,
  refresh: RefreshDecision,
  catalog: string,
  pipelineName: string,
  updateId: string,
): Promise<TableUpdateResult> {
  await writePlanningInformation(events, catalog, flowOrigin(ref, pipelineName, updateId), { ...refresh, skipped: true });
  return {
    ...emptyResult(table, ref, { technique: 'NO_OP', reason: refresh.reason }),
    ...(table.source?.type === 'files' ? { files: { taken: 0, bad: [] } } : {}),
  };
}

/** A table's result before anything is counted. */
function emptyResult(table: TableModel, ref: TableRef, refresh: TableUpdateResult['refresh']): TableUpdateResult {
  return { table: displayName(ref), kind: table.kind, version: 0, expectations: [], duration_ms: 0, ...emptyCounts(), refresh };
}

function isDomainError(error: unknown): boolean {
  return error instanceof UserError || error instanceof ExpectationFailedError || error instanceof RunFailedError;
}

/** Everything that only reads: staging, counting per rule, and stopping on a violated `fail` rule. */
async function prepare(ex: Executor, table: TableModel, ref: TableRef, source: SourceRelation, ctx: TableRunContext, result: TableUpdateResult): Promise<Prepared> {
  if (source.files) {
    const { taken, bad, retried, deferred } = source.files;
    result.files = { taken, bad: badFilesReport(bad), ...(retried ? { retried } : {}), ...(deferred ? { deferred } : {}) };
  }
  for (const bad of source.files?.bad ?? []) ctx.warn(`${displayName(ref)}: skipped unreadable file ${bad.file.volumePath}: ${bad.error}`);
  if (source.sql === undefined || table.kind === 'view' || isPassThrough(tableSemantics(table))) return { source };

  const plan = await planStage(ex, table, ctx.catalog, source.sql, source.columns, ctx.updateTs);
  if (checkedInPlace(table, plan, ctx)) return { source, inPlace: plan };
  result.rows_read = await ex.count(`CREATE OR REPLACE TEMP TABLE ${STAGE} AS ${plan.sql}`);
  const tally = await tallyStage(ex, plan, STAGE, result, ref);
  await enforceFailRules(ex, plan, STAGE, ref, result);
  result.rows_quarantined = tally.rejected;
  result.rows_filtered = tally.filtered;
  return { source, staged: { plan, tally } };
}

/** Everything that writes; runs inside the table's transaction. */
async function write(ex: Executor, table: TableModel, ref: TableRef, prepared: Prepared, ctx: TableRunContext, result: TableUpdateResult): Promise<void> {
  const { source, staged, inPlace } = prepared;
  if (table.kind === 'view') {
    await defineView(ex, ref, source);
  } else if (source.sql !== undefined) {
    const version = (await currentVersion(ex, ctx.catalog, ref)) + 1;
    if (inPlace) await writeCheckedInPlace(ex, table, ref, inPlace, ctx, source, version, result);
    else if (staged) await writeStaged(ex, table, ref, staged, ctx, version, result);
    else await writeDirect(ex, table, ref, source.sql, version, result, ctx.refresh.incremental);
    const written = result.rows_inserted + result.rows_updated;
    const incremental = ctx.refresh.incremental;
    if ((table.kind === 'materialized_view' && !incremental) || written > 0 || (result.rows_removed ?? 0) > 0) {
      result.version = version;
      await recordVersion(ex, ctx.catalog, ref, version, ctx.updateId, operationOf(table, incremental, result), written);
    }
  }
  await source.commit(ex);
  checkIdentity(result.table, result, table.kind === 'view' ? null : source.expectedRows);
}

/** No casts, rules or dedupe: rows go straight from the input to the table. */
async function writeDirect(ex: Executor, table: TableModel, ref: TableRef, sql: string, version: number, result: TableUpdateResult, incremental?: IncrementalRefresh): Promise<void> {
  const written = table.kind === 'streaming_table' ? await appendRows(ex, ref, sql, version) : await writeView(ex, ref, sql, version, result, incremental);
  result.rows_read = written;
  result.rows_inserted = written;
}

/**
 * How a write shows in the table's history, which tells its readers what they may read incrementally: APPEND
 * (only new rows, each with the new commit version), MERGE (rows also replaced, none gone: a streaming table's
 * upsert, merged groups), DELETE_INSERT (rows of changed keys replaced, so a key's rows may be gone), REPLACE.
 */
function operationOf(table: TableModel, incremental: IncrementalRefresh | undefined, result: TableUpdateResult): string {
  if (table.kind !== 'materialized_view') return tableSemantics(table).dedupe ? 'MERGE' : 'APPEND';
  if (!incremental) return 'REPLACE';
  if (incremental.technique === 'GROUP_AGGREGATE') return 'MERGE';
  // A ROW_BASED refresh that removed nothing only added the rows of new keys.
  return incremental.technique === 'APPEND_ONLY' || (result.rows_removed ?? 0) === 0 ? 'APPEND' : 'DELETE_INSERT';
}

/** A materialized view: recomputed in full, or refreshed incrementally; returns the rows inserted. */
async function writeView(ex: Executor, ref: TableRef, rows: string, version: number, result: TableUpdateResult, incremental?: IncrementalRefresh): Promise<number> {
  if (!incremental) return replaceTable(ex, ref, rows, version);
  const counts = await writeIncremental(ex, ref, rows, incremental, version);
  result.rows_removed = counts.removed;
  return counts.inserted;
}

async function writeStaged(
  ex: Executor,
  table: TableModel,
  ref: TableRef,
  { plan, tally }: NonNullable<Prepared['staged']>,
  ctx: TableRunContext,
  version: number,
  result: TableUpdateResult,
): Promise<void> {
  const { quarantine, dedupe } = plan.semantics;
  // The quarantine table exists once its table has been updated, even empty, as the pipeline and notebook create it.
  if (quarantine) {
    const rows = `SELECT ${plan.quarantineSelect.join(', ')} FROM ${STAGE} WHERE ${QUARANTINED}`;
    const quarantined = await quarantineRows(ex, parseTableName(quarantine.table, ctx.catalog), rows);
    if (quarantined !== tally.rejected) {
      throw new RunFailedError(`${quarantined} rows reached the quarantine of ${displayName(ref)}, ${tally.rejected} were rejected.`, 'failed', displayName(ref));
    }
  }
  const rows = `SELECT ${plan.cleanSelect.join(', ')} FROM ${STAGE} WHERE ${CLEAN}`;
  if (table.kind === 'materialized_view') {
    result.rows_inserted = await writeView(ex, ref, rows, version, result, ctx.refresh.incremental);
    result.duplicates_removed = tally.valid - result.rows_inserted;
  } else if (dedupe) {
    const upsert = await upsertRows(ex, ref, rows, dedupe, version);
    result.rows_inserted = upsert.inserted;
    result.rows_updated = upsert.updated;
    result.duplicates_removed = tally.valid - upsert.winners + upsert.stale;
  } else {
    result.rows_inserted = await appendRows(ex, ref, rows, version);
  }
}

/**
 * A materialized view recomputed in full whose rules only warn or fail (nothing is dropped, filtered or cast) keeps
 * every row: it is written in one pass, and the rules are counted on the written table (a read, far cheaper than
 * a staging copy); a violated `fail` rule then rolls the write back with the table's transaction.
 */
function checkedInPlace(table: TableModel, plan: StagePlan, ctx: TableRunContext): boolean {
  const s = plan.semantics;
  return table.kind === 'materialized_view' && !ctx.refresh.incremental && s.casts.length === 0 && s.where === undefined && s.rules.every((r) => r.action !== 'drop');
}

async function writeCheckedInPlace(
  ex: Executor,
  table: TableModel,
  ref: TableRef,
  plan: StagePlan,
  ctx: TableRunContext,
  source: SourceRelation,
  version: number,
  result: TableUpdateResult,
): Promise<void> {
  result.rows_inserted = await replaceTable(ex, ref, `SELECT ${plan.cleanSelect.join(', ')} FROM (${plan.sql}) AS __dbx_checked`, version);
  result.rows_read = result.rows_inserted;
  // The same rules, measured on the rows as written.
  const written = await planStage(ex, table, ctx.catalog, `SELECT * EXCLUDE (${COMMIT_VERSION}) FROM ${sqlName(ref)}`, source.columns, ctx.updateTs);
  const relation = `(${written.sql}) AS __dbx_written`;
  const tally = await tallyStage(ex, written, relation, result, ref);
  if (tally.valid !== result.rows_inserted || tally.rejected + tally.filtered > 0) {
    throw new RunFailedError(`${displayName(ref)}: ${tally.valid} of ${result.rows_inserted} written rows count as clean.`, 'failed', displayName(ref));
  }
  await enforceFailRules(ex, written, relation, ref, result);
  // The quarantine table exists once its table has been updated, even empty, as the pipeline and notebook create it.
  const quarantine = written.semantics.quarantine;
  if (quarantine) await quarantineRows(ex, parseTableName(quarantine.table, ctx.catalog), `SELECT ${written.quarantineSelect.join(', ')} FROM ${relation} WHERE false`);
}

/** Counts clean, quarantined and filtered rows and each rule's metrics in one aggregate over the stage. */
async function tallyStage(ex: Executor, plan: StagePlan, relation: string, result: TableUpdateResult, ref: TableRef): Promise<StageTally> {
  const measures = plan.metrics.flatMap((m, i) => [`${m.evaluated} AS e${i}`, `${m.failed} AS f${i}`]);
  const row = await ex.one(
    `SELECT count(*) AS total, count_if(${CLEAN}) AS clean, count_if(${QUARANTINED}) AS quarantined${measures.map((m) => `, ${m}`).join('')} FROM ${relation}`,
  );
  const n = (key: string) => Number(row[key] ?? 0);
  const tally: StageTally = { valid: n('clean'), rejected: n('quarantined'), filtered: n('total') - n('clean') - n('quarantined') };
  result.expectations = plan.metrics.map((m, i): ExpectationMetric => {
    const failed = n(`f${i}`);
    return {
      dataset: shortName(ref),
      expectation: m.rule,
      action: m.action,
      passed_records: n(`e${i}`) - failed,
      failed_records: failed,
      dropped_records: m.action === 'drop' ? failed : 0,
    };
  });
  return tally;
}

/** A `fail` expectation with any failing row stops the update, naming the rule and showing some rows. */
async function enforceFailRules(ex: Executor, plan: StagePlan, relation: string, ref: TableRef, result: TableUpdateResult): Promise<void> {
  for (const rule of plan.metrics.filter((r) => r.action === 'fail')) {
    const metric = result.expectations.find((m) => m.expectation === rule.rule);
    if (!metric || metric.failed_records === 0) continue;
    const sample = await ex.rows(`SELECT ${plan.cleanSelect.join(', ')} FROM ${relation} WHERE ${rule.broken} LIMIT ${SAMPLE_SIZE}`);
    throw new ExpectationFailedError(
      `Expectation '${rule.rule}' on ${shortName(ref)} failed for ${metric.failed_records} of ${metric.passed_records + metric.failed_records} rows; the update stopped.`,
      shortName(ref),
      rule.rule,
      sample,
    );
  }
}

/** Views are lazy and check nothing (as on Databricks): the definition is replaced. */
async function defineView(ex: Executor, ref: TableRef, source: SourceRelation): Promise<void> {
  await replaceView(ex, ref, source.sql ?? 'SELECT 1 WHERE false');
}
