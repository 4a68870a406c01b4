// Whether a table is computed in this update and how, decided before it is read: skipped when neither its
// definition nor its inputs changed since it was last computed (as Databricks skips an unchanged materialized
// view, technique NO_OP); otherwise computed, a materialized view incrementally where its query allows it
// (incremental-plan.ts), else in full, with the reason kept for the event log's planning_information.

import type { TableModel } from '../../model/types.ts';
import { quoteLiteral } from '../../sql/quote.ts';
import { listLandingFiles, newFiles } from './autoloader.ts';
import type { Executor } from './executor.ts';
import { currentVersion, hasCommitVersions, objectKind } from './history.ts';
import type { TableRef } from './names.ts';
import { displayName, parseTableName } from './names.ts';
import { planIncremental, type IncrementalRefresh } from './incremental-plan.ts';
import { definitionHash, readRefreshRecord, type RefreshRecord } from './refresh-state.ts';
import { systemTable } from './system-tables.ts';
import { inputVersions, tableInputs } from './table-inputs.ts';
import { resolveLocation, type LandingRoot } from './volumes.ts';

/** Databricks' names for how a materialized view is maintained (planning_information's maintenance_type). */
export type Technique = 'NO_OP' | 'COMPLETE_RECOMPUTE' | 'APPEND_ONLY' | 'ROW_BASED' | 'GROUP_AGGREGATE' | 'STREAMING';

export interface RefreshDecision {
  skip: boolean;
  technique: Technique;
  /** Why, in words, for the event log and events: `inputs unchanged`, `definition changed`, ... */
  reason: string;
  /** What to record once the table is written. */
  record: RefreshRecord;
  /** For an incremental refresh of a materialized view: the rows to write and how. */
  incremental?: IncrementalRefresh;
}

export interface PlanContext {
  catalog: string;
  landingRoot: LandingRoot;
}

export const INPUTS_UNCHANGED = 'inputs unchanged';

export async function planRefresh(ex: Executor, table: TableModel, ref: TableRef, ctx: PlanContext): Promise<RefreshDecision> {
  const hash = definitionHash(table, ctx.catalog);
  const exists = await objectKind(ex, ref);
  const prior = await readRefreshRecord(ex, ctx.catalog, ref);
  const sameDefinition = prior?.definition_hash === hash;
  const changedDefinition = prior !== undefined && !sameDefinition;
  const decide = (skip: boolean, technique: Technique, reason: string, inputs: Record<string, number> = {}): RefreshDecision => ({
    skip,
    technique: skip ? 'NO_OP' : technique,
    reason,
    record: { definition_hash: hash, inputs, technique: skip ? (prior?.technique ?? technique) : technique },
  });

  if (table.kind === 'view') {
    if (exists === 'view' && sameDefinition) return decide(true, 'NO_OP', 'definition unchanged');
    return decide(false, 'COMPLETE_RECOMPUTE', exists === 'view' ? 'definition changed' : 'first computation');
  }
  if (table.kind === 'streaming_table') {
    // New rows are read whatever happened; a changed definition applies to them (as on Databricks, older rows stay
    // as they were until a full refresh).
    if (exists !== 'table') return decide(false, 'STREAMING', 'first computation');
    if (!sameDefinition) return decide(false, 'STREAMING', changedDefinition ? 'definition changed: new rows are read with it' : 'no record of its inputs');
    const pending = await pendingInput(ex, table, ref, ctx);
    return pending === undefined ? decide(true, 'NO_OP', INPUTS_UNCHANGED) : decide(false, 'STREAMING', pending);
  }

  const inputs = await tableInputs(ex, table, ctx.catalog);
  const { versions, untracked } = await inputVersions(ex, ctx.catalog, inputs.tables);
  const full = (reason: string) => decide(false, 'COMPLETE_RECOMPUTE', reason, versions);
  if (exists !== 'table') return full('first computation');
  if (!prior) return full('no record of the inputs it was computed from');
  if (!sameDefinition) return full('definition changed');
  if (inputs.volatile) return full(`its definition calls ${inputs.volatile}(), whose value changes between runs`);
  if (untracked.length > 0) return full(`it reads ${untracked.join(', ')}, whose changes are not tracked (not written by a pipeline)`);
  const changed = Object.keys(versions).filter((name) => prior.inputs[name] !== versions[name]);
  if (changed.length === 0 && Object.keys(prior.inputs).length === Object.keys(versions).length) return decide(true, 'NO_OP', INPUTS_UNCHANGED, versions);
  const why = `inputs changed: ${changed.join(', ')}`;
  if (!inputs.queryTree || Object.keys(prior.inputs).some((name) => !(name in versions))) return full(why);
  // Rows written before materialized views carried commit versions could not be told from newer ones downstream.
  if (!(await hasCommitVersions(ex, ref))) return full(`${why}; recomputed in full: stored without commit versions (by an earlier dbx-ts)`);
  const incremental = await planIncremental(ex, table, { tree: inputs.queryTree, catalog: ctx.catalog, before: prior.inputs, now: versions }).catch(
    (error: unknown) => ({ why: `the query could not be rewritten (${(error as Error).message.split('\n')[0]})` }),
  );
  if ('why' in incremental) return full(`${why}; recomputed in full: ${incremental.why}`);
  return { ...decide(false, incremental.technique, why, versions), incremental };
}

/** Why a streaming table has something to read, or undefined when its source has nothing new. */
async function pendingInput(ex: Executor, table: TableModel, ref: TableRef, ctx: PlanContext): Promise<string | undefined> {
  const source = table.source;
  if (source?.type === 'files') {
    const location = resolveLocation(source.path, ctx.catalog, ctx.landingRoot);
    const fresh = await newFiles(ex, ctx.catalog, displayName(ref), listLandingFiles(location, source.options), source.options);
    return fresh.length > 0 ? `${fresh.length} new files` : undefined;
  }
  if (source?.type === 'table') {
    const upstream = parseTableName(source.table, ctx.catalog);
    const to = await currentVersion(ex, ctx.catalog, upstream);
    const from = await ex.number(
      `SELECT coalesce(max(version), 0) AS n FROM ${systemTable(ctx.catalog, 'stream_offsets')} WHERE consumer = ${quoteLiteral(displayName(ref))} AND source = ${quoteLiteral(displayName(upstream))}`,
    );
    if (to > from) return `${displayName(upstream)} has new versions`;
    // An upstream without commit versions (not a streaming table) is read in full every update. (An offset was
    // recorded, so it has them: offsets are kept for streaming upstreams only.)
    if (from === 0 && !(await hasCommitVersions(ex, upstream))) return `${displayName(upstream)} is not a streaming table: read in full`;
    return undefined;
  }
  return 'no source';
}
