// One table, one update. Reading happens first, outside any transaction: open the input, enforce the schema
// and expectations into a staging table, count. Then one transaction writes: quarantine, target, history,
// consumed files or offsets and the flow_progress event, and checks that the counts add up.
// (DuckDB is markedly slower on a staging table created inside the transaction that reads it.)

import { ExpectationFailedError, RunFailedError, UserError } from '../../errors/index.ts';
import type { ExpectationMetric } from '../../events/types.ts';
import type { TableModel } from '../../model/types.ts';
import { quoteIdent, quoteLiteral } from '../../sql/quote.ts';
import type { TableUpdateResult } from './accounting.ts';
import { badFilesReport, checkIdentity, emptyCounts } from './accounting.ts';
import type { BadFile } from './autoloader.ts';
import { firstLine } from './autoloader.ts';
import type { FlowOrigin } from './event-log.ts';
import { writeFlowProgress } from './event-log.ts';
import type { Executor } from './executor.ts';
import { currentVersion, recordVersion } from './history.ts';
import type { TableRef } from './names.ts';
import { displayName, parseTableName, shortName } from './names.ts';
import type { StagePlan } from './quality.ts';
import { failedRulesSql, isPassThrough, MASK, planStage } from './quality.ts';
import type { SourceContext, SourceRelation } from './source.ts';
import { openSource } from './source.ts';
import { appendRows, quarantineRows, replaceTable, replaceView, upsertRows } from './writers.ts';

const STAGE = '__dbx_stage';
const SAMPLE_SIZE = 5;

export interface TableRunContext extends SourceContext {
  pipelineName: string;
}

/** The input of one update, read and checked, waiting to be written. */
interface Prepared {
  source: SourceRelation;
  /** Set when rows went through the staging table. */
  staged?: { plan: StagePlan; tally: StageTally };
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
  const result: TableUpdateResult = { table: displayName(ref), kind: table.kind, version: 0, expectations: [], duration_ms: 0, ...emptyCounts() };
  const origin: FlowOrigin = { pipeline_name: ctx.pipelineName, flow_name: shortName(ref), dataset_name: shortName(ref), update_id: ctx.updateId };
  let unreadable: BadFile[] = [];
  try {
    for (let attempt = 0; ; attempt++) {
      const source = await openSource(ex, table, ref, { ...ctx, unreadable, origin });
      try {
        const prepared = await prepare(ex, table, ref, source, ctx, result);
        return await ex.transaction(async () => {
          await write(ex, table, ref, prepared, ctx, result);
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
  if (source.sql === undefined || table.kind === 'view' || (isPassThrough(table) && !table.dedupe)) return { source };

  const plan = await planStage(ex, table, ctx.catalog, source.sql, source.columns, source.carry, Boolean(table.quarantine_table));
  result.rows_read = await ex.count(`CREATE OR REPLACE TEMP TABLE ${STAGE} AS ${plan.sql}`);
  const tally = await tallyStage(ex, plan, STAGE, result, ref);
  await enforceFailRules(ex, plan, STAGE, ref, result);
  result.rows_quarantined = tally.rejected;
  result.rows_filtered = tally.filtered;
  return { source, staged: { plan, tally } };
}

/** Everything that writes; runs inside the table's transaction. */
async function write(ex: Executor, table: TableModel, ref: TableRef, prepared: Prepared, ctx: TableRunContext, result: TableUpdateResult): Promise<void> {
  const { source, staged } = prepared;
  if (table.kind === 'view') {
    await writeView(ex, table, ref, source, ctx, result);
  } else if (source.sql !== undefined) {
    const version = (await currentVersion(ex, ctx.catalog, ref)) + 1;
    if (staged) await writeStaged(ex, table, ref, staged, ctx, version, result);
    else await writeDirect(ex, table, ref, source.sql, version, result);
    const written = result.rows_inserted + result.rows_updated;
    if (table.kind === 'materialized_view' || written > 0) {
      result.version = version;
      const operation = table.kind === 'materialized_view' ? 'REPLACE' : table.dedupe ? 'MERGE' : 'APPEND';
      await recordVersion(ex, ctx.catalog, ref, version, ctx.updateId, operation, written);
    }
  }
  await source.commit(ex);
  checkIdentity(result.table, result, table.kind === 'view' ? null : source.expectedRows);
}

/** No casts, rules or dedupe: rows go straight from the input to the table. */
async function writeDirect(ex: Executor, table: TableModel, ref: TableRef, sql: string, version: number, result: TableUpdateResult): Promise<void> {
  const written = table.kind === 'streaming_table' ? await appendRows(ex, ref, sql, version) : await replaceTable(ex, ref, sql, undefined);
  result.rows_read = written;
  result.rows_inserted = written;
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
  if (table.quarantine_table && tally.rejected > 0) {
    const quarantined = await quarantineRows(ex, parseTableName(table.quarantine_table, ctx.catalog), quarantineSql(plan, STAGE, ref, ctx.updateTs));
    if (quarantined !== tally.rejected) {
      throw new RunFailedError(`${quarantined} rows reached the quarantine of ${displayName(ref)}, ${tally.rejected} were rejected.`, 'failed', displayName(ref));
    }
  }
  const rows = `SELECT ${plan.targetColumns.map(quoteIdent).join(', ')} FROM ${STAGE} WHERE (${MASK} & ${plan.filteredBit | plan.rejectMask}) = 0`;
  if (table.kind === 'materialized_view') {
    result.rows_inserted = await replaceTable(ex, ref, rows, table.dedupe);
    result.duplicates_removed = tally.valid - result.rows_inserted;
  } else if (table.dedupe) {
    const upsert = await upsertRows(ex, ref, rows, table.dedupe, version);
    result.rows_inserted = upsert.inserted;
    result.rows_updated = upsert.updated;
    result.duplicates_removed = tally.valid - upsert.winners + upsert.stale;
  } else {
    result.rows_inserted = await appendRows(ex, ref, rows, version);
  }
}

/** Counts rows per mask value (a handful of groups) and turns them into per-rule metrics. */
async function tallyStage(ex: Executor, plan: StagePlan, relation: string, result: TableUpdateResult, ref: TableRef): Promise<StageTally> {
  const groups = (await ex.rows(`SELECT ${MASK} AS mask, count(*) AS n FROM ${relation} GROUP BY ALL`)).map((r) => ({
    mask: BigInt(String(r.mask)),
    n: Number(r.n),
  }));
  const tally: StageTally = { filtered: 0, rejected: 0, valid: 0 };
  for (const { mask, n } of groups) {
    if ((mask & plan.filteredBit) !== 0n) tally.filtered += n;
    else if ((mask & plan.rejectMask) !== 0n) tally.rejected += n;
    else tally.valid += n;
  }
  const evaluated = groups.filter((g) => (g.mask & plan.filteredBit) === 0n);
  const total = evaluated.reduce((s, g) => s + g.n, 0);
  result.expectations = plan.rules.map((rule): ExpectationMetric => {
    const failed = evaluated.filter((g) => (g.mask & rule.bit) !== 0n).reduce((s, g) => s + g.n, 0);
    return {
      dataset: shortName(ref),
      expectation: rule.name,
      action: rule.action,
      passed_records: total - failed,
      failed_records: failed,
      dropped_records: rule.action === 'drop' ? failed : 0,
    };
  });
  return tally;
}

/** A `fail` expectation with any failing row stops the update, naming the rule and showing some rows. */
async function enforceFailRules(ex: Executor, plan: StagePlan, relation: string, ref: TableRef, result: TableUpdateResult): Promise<void> {
  for (const rule of plan.rules.filter((r) => r.action === 'fail')) {
    const metric = result.expectations.find((m) => m.expectation === rule.name);
    if (!metric || metric.failed_records === 0) continue;
    const sample = await ex.rows(
      `SELECT ${plan.targetColumns.map(quoteIdent).join(', ')} FROM ${relation}
       WHERE (${MASK} & ${plan.filteredBit}) = 0 AND (${MASK} & ${rule.bit}) <> 0 LIMIT ${SAMPLE_SIZE}`,
    );
    throw new ExpectationFailedError(
      `Expectation '${rule.name}' on ${shortName(ref)} failed for ${metric.failed_records} of ${metric.passed_records + metric.failed_records} rows; the update stopped.`,
      shortName(ref),
      rule.name,
      sample,
    );
  }
}

function quarantineSql(plan: StagePlan, relation: string, ref: TableRef, updateTs: string): string {
  const columns = plan.quarantineColumns.map((c) => `${c.sql} AS ${quoteIdent(c.name)}`);
  const extra = [`${failedRulesSql(plan.rules)} AS _failed_rules`, `TIMESTAMP ${quoteLiteral(updateTs)} AS _quarantined_at`, `${quoteLiteral(shortName(ref))} AS _source_table`];
  return `SELECT ${[...columns, ...extra].join(', ')}
    FROM ${relation} WHERE (${MASK} & ${plan.filteredBit}) = 0 AND (${MASK} & ${plan.rejectMask}) <> 0`;
}

/**
 * Views are lazy: the definition applies the casts, filter and drop rules; when the view has rules,
 * its rows are counted once now so expectations show up in the event log (and `fail` rules are enforced).
 */
async function writeView(ex: Executor, table: TableModel, ref: TableRef, source: SourceRelation, ctx: TableRunContext, result: TableUpdateResult): Promise<void> {
  const sql = source.sql ?? 'SELECT 1 WHERE false';
  if (isPassThrough(table)) {
    await replaceView(ex, ref, sql);
    return;
  }
  const plan = await planStage(ex, table, ctx.catalog, sql, source.columns, source.carry, false);
  const relation = `(${plan.sql}) AS __dbx_view`;
  const tally = await tallyStage(ex, plan, relation, result, ref);
  await enforceFailRules(ex, plan, relation, ref, result);
  result.rows_read = tally.filtered + tally.rejected + tally.valid;
  result.rows_quarantined = tally.rejected;
  result.rows_filtered = tally.filtered;
  result.rows_inserted = tally.valid;
  await replaceView(ex, ref, `SELECT ${plan.targetColumns.map(quoteIdent).join(', ')} FROM ${relation} WHERE (${MASK} & ${plan.filteredBit | plan.rejectMask}) = 0`);
}
