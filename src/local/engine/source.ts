// Where a table's rows come from in one update: new landing files (Auto Loader), new rows of an upstream
// streaming table (by commit version), or a full query for materialized views and views.

import { UserError } from '../../errors/index.ts';
import { declaredSchemaText, parseFileSchema } from '../../model/file-schema.ts';
import { FILE_METADATA_COLUMNS, RESCUED_DATA_COLUMN } from '../../model/table-semantics.ts';
import type { TableModel } from '../../model/types.ts';
import { quoteIdent, quoteLiteral } from '../../sql/quote.ts';
import type { BadFile, FileFormat, FileSettling, NewFile, SchemaColumn } from './autoloader.ts';
import {
  checkpointFiles,
  consumerSchema,
  defaultSettling,
  findUnreadable,
  ingestSelect,
  listLandingFiles,
  newFiles,
  probeFiles,
  saveConsumerSchema,
  settledFiles,
} from './autoloader.ts';
import { writeFileEvent, type FlowOrigin } from './event-log.ts';
import type { Executor } from './executor.ts';
import { currentVersion, objectKind, COMMIT_VERSION } from './history.ts';
import type { TableRef } from './names.ts';
import { displayName, parseTableName, sqlName, substituteCatalog } from './names.ts';
import { systemTable } from './system-tables.ts';
import type { LandingRoot } from './volumes.ts';
import { resolveLocation } from './volumes.ts';

export interface SourceContext {
  catalog: string;
  /** Files already found unreadable in this update; they are set aside as bad files. */
  unreadable?: readonly BadFile[];
  landingRoot: LandingRoot;
  updateId: string;
  /** The update's timestamp literal (`YYYY-MM-DD HH:MM:SS.ffffff`), stamped on ingested rows. */
  updateTs: string;
  /** Warnings worth showing (e.g. a streaming read of a table that is not a streaming table). */
  warn(message: string): void;
  /** Tables (`catalog.schema.table`) of this update: one of them may not exist yet if no data has arrived. */
  sameUpdate?: ReadonlySet<string>;
  /** When a landing file counts as complete (default: unchanged for 1 s, on the real clock). */
  settling?: FileSettling;
  /** Things worth knowing that are not problems (a file tried again). */
  info?(message: string): void;
  /** The flow this source feeds, for file events in the event log. */
  origin?: FlowOrigin;
}

/**
 * A table's input for one update. Opening it only reads (listing, probing, describing), so it happens before
 * the table's transaction: a probe that fails on a corrupt file must not abort the transaction.
 */
export interface SourceRelation {
  /** SELECT giving this update's input rows; undefined when there is nothing new. */
  sql?: string;
  columns: SchemaColumn[];
  /** Rows the input holds, counted without reading it (Parquet footers), when that is possible. */
  expectedRows: number | null;
  files?: { taken: number; bad: BadFile[]; retried?: number; deferred?: number };
  /** Records what was consumed (files, offsets); runs inside the table's transaction. */
  commit(ex: Executor): Promise<void>;
  /** For file sources: reads each taken file in full and returns those that fail (their footer was fine). */
  findUnreadable?(ex: Executor): Promise<BadFile[]>;
}

export async function openSource(ex: Executor, table: TableModel, target: TableRef, ctx: SourceContext): Promise<SourceRelation> {
  if (table.kind === 'streaming_table') {
    if (table.source?.type === 'files') return filesSource(ex, table.source, target, ctx);
    if (table.source?.type === 'table') return tableSource(ex, table.source.table, target, ctx);
    throw new UserError(`Streaming table ${table.name} needs a source (files or a table).`);
  }
  if (table.query) return querySource(ex, substituteCatalog(table.query, ctx.catalog));
  if (table.source?.type === 'table') {
    return querySource(ex, `SELECT * FROM ${sqlName(parseTableName(table.source.table, ctx.catalog))}`);
  }
  throw new UserError(`${table.kind === 'view' ? 'View' : 'Materialized view'} ${table.name} needs a query.`);
}

async function describe(ex: Executor, sql: string): Promise<SchemaColumn[]> {
  const rows = await ex.rows(`DESCRIBE ${sql}`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

async function querySource(ex: Executor, sql: string): Promise<SourceRelation> {
  let columns: SchemaColumn[];
  try {
    columns = await describe(ex, sql);
  } catch (error) {
    throw new UserError(`Query does not run on the local engine: ${(error as Error).message.split('\n')[0]}`);
  }
  return { sql, columns, expectedRows: null, commit: async () => {} };
}

async function filesSource(
  ex: Executor,
  source: { path: string; format: FileFormat; options?: Record<string, string> },
  target: TableRef,
  ctx: SourceContext,
): Promise<SourceRelation> {
  const options = source.options ?? {};
  const location = resolveLocation(source.path, ctx.catalog, ctx.landingRoot);
  const consumer = displayName(target);
  const candidates = await newFiles(ex, ctx.catalog, consumer, listLandingFiles(location, options), options);
  // Only complete files: one still being written would be read in part (or set aside as bad) and never again.
  const { settled: fresh, unsettled } = await settledFiles(candidates, ctx.settling ?? defaultSettling());
  const retried = fresh.filter((f) => f.retry !== undefined);
  for (const f of unsettled) ctx.warn(`${consumer}: ${f.volumePath} is still being written; a later update will read it.`);
  for (const f of retried) ctx.info?.(`${consumer}: trying ${f.volumePath} again: it was unreadable at ${f.retry!.size} bytes and has changed since (now ${f.size} bytes).`);
  const probed = await probeFiles(ex, fresh, source.format, options);
  const unreadable = new Map((ctx.unreadable ?? []).map((b) => [b.file.localPath, b]));
  const good = probed.good.filter((g) => !unreadable.has(g.file.localPath));
  const bad = [...probed.bad, ...probed.good.flatMap((g) => unreadable.get(g.file.localPath) ?? [])];

  // A declared schema is used as it is (nothing inferred, as Auto Loader with a schema); else the consumer's.
  const declared = declaredSchema(source.options, target);
  const found = declared ? { columns: declared } : await consumerSchema(ex, ctx.catalog, consumer, good[0]?.file, source.format, options);
  const schema = found?.columns;
  const commit = async (e: Executor) => {
    if (found && 'inferred' in found && found.inferred) await saveConsumerSchema(e, ctx.catalog, consumer, found.columns, found.inferred);
    await checkpointFiles(e, ctx.catalog, consumer, ctx.updateId, good, bad);
    if (ctx.origin) await logFileEvents(e, ctx.catalog, ctx.origin, retried, unsettled);
  };
  const files = { taken: good.length, bad, ...(retried.length ? { retried: retried.length } : {}), ...(unsettled.length ? { deferred: unsettled.length } : {}) };
  const columns = [...(schema ?? []), ...autoloaderColumns()];
  if (!schema && good.length === 0 && bad.length === 0 && unsettled.length === 0) throw emptyFolderWithoutSchema(target, location.volumeDir, location.localDir);
  if (good.length === 0 && schema) {
    // No new file, but a known schema: an empty input, so the table exists (empty) for its readers.
    const empty = columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
    return { sql: `SELECT ${empty} WHERE false`, columns, expectedRows: 0, files, commit };
  }
  if (good.length === 0 || !schema) return { columns, expectedRows: 0, files, commit };
  const taken = good.map((g) => g.file);
  const sql = await ingestSelect(ex, taken, source.format, options, schema, location, ctx.updateTs);
  const counts = good.map((g) => g.rows);
  const expectedRows = counts.every((n): n is number => n !== null) ? counts.reduce((a, b) => a + b, 0) : null;
  return {
    sql,
    columns,
    expectedRows,
    files,
    commit,
    findUnreadable: (e: Executor) => findUnreadable(e, taken, source.format, options),
  };
}

/** The event log says which files were tried again and which were left for later. */
async function logFileEvents(ex: Executor, catalog: string, origin: FlowOrigin, retried: readonly NewFile[], unsettled: readonly NewFile[]): Promise<void> {
  for (const f of retried) {
    await writeFileEvent(ex, catalog, origin, 'retried', `File ${f.volumePath} was unreadable at ${f.retry!.size} bytes and has changed since; tried again.`, {
      path: f.volumePath,
      size: f.size,
      previous_size: f.retry!.size,
    });
  }
  for (const f of unsettled) {
    await writeFileEvent(ex, catalog, origin, 'deferred', `File ${f.volumePath} is still being written; left for a later update.`, { path: f.volumePath, size: f.size });
  }
}

function declaredSchema(options: Record<string, string> | undefined, target: TableRef): SchemaColumn[] | undefined {
  const text = declaredSchemaText(options);
  if (text === undefined) return undefined;
  const parsed = parseFileSchema(text);
  if ('problem' in parsed) throw new UserError(`${displayName(target)}: the schema option of its files source ${parsed.problem}.`);
  return parsed.columns.map((c) => ({ name: c.name, type: c.duckdb }));
}

/** What Auto Loader says (CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE) when it has neither files nor a schema. */
function emptyFolderWithoutSchema(target: TableRef, volumeDir: string, localDir: string): UserError {
  return new UserError(
    `${displayName(target)} cannot be created: no file has arrived in ${volumeDir} (locally ${localDir}) and its files source declares no schema, ` +
      'so there is none to infer (as on Databricks, where Auto Loader fails with CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE). ' +
      "Put files there, or declare the files' schema on the source, e.g. options: { schema: 'id STRING, amount DOUBLE' }, " +
      'and an empty folder gives an empty table.',
  );
}

/** The rescued-data column and the file metadata columns the semantics give rows of a files source. */
function autoloaderColumns(): SchemaColumn[] {
  const duck = (type: string) => (type === 'STRING' ? 'VARCHAR' : type);
  return [{ name: RESCUED_DATA_COLUMN, type: 'VARCHAR' }, ...FILE_METADATA_COLUMNS.map((c) => ({ name: c.name, type: duck(c.type) }))];
}

/** Rows of an upstream table this consumer has not seen: commit versions above its stored offset. */
async function tableSource(ex: Executor, name: string, target: TableRef, ctx: SourceContext): Promise<SourceRelation> {
  const ref = parseTableName(name, ctx.catalog);
  const kind = await objectKind(ex, ref);
  if (!kind && ctx.sameUpdate?.has(displayName(ref))) {
    // The upstream table got no data yet (e.g. an empty landing folder): nothing to read, nothing to fail.
    ctx.warn(`${displayName(target)}: ${displayName(ref)} has no data yet, so there is nothing to read.`);
    return { columns: [], expectedRows: 0, commit: async () => {} };
  }
  if (!kind) throw new UserError(`${displayName(target)} reads ${displayName(ref)}, which does not exist.`, 'Define the source table in this pipeline or run the pipeline that creates it first.');
  const all = await describe(ex, `SELECT * FROM ${sqlName(ref)}`);
  if (!all.some((c) => c.name === COMMIT_VERSION)) {
    ctx.warn(`${displayName(target)} streams from ${displayName(ref)}, which is not a streaming table; it is read in full each update.`);
    return { sql: `SELECT * FROM ${sqlName(ref)}`, columns: all, expectedRows: null, commit: async () => {} };
  }
  const consumer = quoteLiteral(displayName(target));
  const sourceName = quoteLiteral(displayName(ref));
  const offsets = systemTable(ctx.catalog, 'stream_offsets');
  const from = await ex.number(`SELECT coalesce(max(version), 0) AS n FROM ${offsets} WHERE consumer = ${consumer} AND source = ${sourceName}`);
  const to = await currentVersion(ex, ctx.catalog, ref);
  const columns = all.filter((c) => c.name !== COMMIT_VERSION);
  const commit = async (e: Executor) => {
    await e.run(`DELETE FROM ${offsets} WHERE consumer = ${consumer} AND source = ${sourceName}`);
    await e.run(`INSERT INTO ${offsets} VALUES (${consumer}, ${sourceName}, ${to}, ${quoteLiteral(ctx.updateId)}, now())`);
  };
  // With nothing new the range is empty, but the write still runs so the table exists for its readers.
  const range = `${COMMIT_VERSION} > ${from} AND ${COMMIT_VERSION} <= ${Math.max(from, to)}`;
  const sql = `SELECT * EXCLUDE (${COMMIT_VERSION}) FROM ${sqlName(ref)} WHERE ${range}`;
  const expectedRows = to <= from ? 0 : await ex.number(`SELECT count(*) AS n FROM ${sqlName(ref)} WHERE ${range}`);
  return { sql, columns, expectedRows, commit };
}
