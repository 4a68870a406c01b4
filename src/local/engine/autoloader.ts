// Auto Loader (cloudFiles) for the local engine: each landing file is taken exactly once per consumer,
// unreadable files are set aside with their error, and columns outside the consumer's schema are rescued
// into `_rescued_data` (schemaEvolutionMode = rescue) instead of failing the stream.

import { matchesGlob, relative, sep } from 'node:path';
import { redact } from '../../redaction/index.ts';
import { readdirSync, statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors/index.ts';
import { quoteIdent, quoteLiteral } from '../../sql/quote.ts';
import type { Executor } from './executor.ts';
import { systemTable } from './system-tables.ts';
import type { ResolvedLocation } from './volumes.ts';

export type FileFormat = 'parquet' | 'json' | 'csv';

export interface LandingFile {
  localPath: string;
  volumePath: string;
  size: number;
  mtimeMs: number;
}

export interface BadFile {
  file: LandingFile;
  error: string;
}

export interface SchemaColumn {
  name: string;
  type: string;
}

/** Columns Auto Loader adds to every row it ingests. */
export const AUTOLOADER_COLUMNS = ['_rescued_data', '_source_file', '_ingested_at'] as const;

/** The column DuckDB fills with each row's file; named so no landing file is likely to have it. */
const FILE_COLUMN = '__dbx_file';

/** Every data file under the location, sorted; names starting with `_` or `.` are skipped, as Spark does. */
export function listLandingFiles(location: ResolvedLocation, options: Record<string, string> = {}): LandingFile[] {
  const glob = options.pathGlobFilter;
  const out: LandingFile[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && (!glob || matchesGlob(entry.name, glob))) {
        const stat = statSync(path);
        const rel = relative(location.localDir, path).split(sep).join('/');
        out.push({ localPath: path, volumePath: `${location.volumeDir}/${rel}`, size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs) });
      }
    }
  };
  walk(location.localDir);
  return out.sort((a, b) => (a.localPath < b.localPath ? -1 : a.localPath > b.localPath ? 1 : 0));
}

/** A file to take, and, when it was recorded bad before and has changed since, what it was then. */
export interface NewFile extends LandingFile {
  retry?: { size: number; mtimeMs: number };
}

/**
 * Files this consumer has not taken yet; files recorded bad whose size or modification time changed since
 * (a writer finished them: try again); with `cloudFiles.allowOverwrites`, also good files changed since.
 */
export async function newFiles(
  ex: Executor,
  catalog: string,
  consumer: string,
  files: LandingFile[],
  options: Record<string, string> = {},
): Promise<NewFile[]> {
  // The latest record of each path: a retried file has one row per attempt.
  const rows = await ex.rows(
    `SELECT path, size, mtime_ms, status FROM ${systemTable(catalog, 'autoloader_files')} WHERE consumer = ${quoteLiteral(consumer)}
     QUALIFY row_number() OVER (PARTITION BY path ORDER BY processed_at DESC) = 1`,
  );
  const seen = new Map(rows.map((r) => [String(r.path), { size: Number(r.size), mtimeMs: Number(r.mtime_ms), bad: r.status === 'bad' }]));
  const allowOverwrites = options['cloudFiles.allowOverwrites'] === 'true';
  const out: NewFile[] = [];
  for (const f of files) {
    const previous = seen.get(f.volumePath);
    if (previous === undefined) out.push(f);
    else if (previous.size !== f.size || previous.mtimeMs !== f.mtimeMs) {
      if (previous.bad) out.push({ ...f, retry: { size: previous.size, mtimeMs: previous.mtimeMs } });
      else if (allowOverwrites) out.push(f);
    }
  }
  return out;
}

/**
 * When a landing file counts as complete. Auto Loader assumes writers finish a file before it appears (object
 * stores publish a file whole); a local folder shows a file while it is being written. So a file is taken
 * once it has not changed for `settleMs`: either its modification time is already that old, or the update
 * waits (at most `settleMs`) and takes it if its size and modification time stayed the same meanwhile. A file
 * still changing is left for a later update.
 */
export interface FileSettling {
  settleMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_SETTLE_MS = 1000;

export const defaultSettling = (): FileSettling => ({
  settleMs: DEFAULT_SETTLE_MS,
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

/** The size and modification time of a file now, or undefined when it is gone. */
function restat(file: LandingFile): LandingFile | undefined {
  try {
    const stat = statSync(file.localPath);
    return { ...file, size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs) };
  } catch {
    return undefined;
  }
}

/** Splits files into those complete (unchanged for `settleMs`) and those still being written. */
export async function settledFiles<F extends LandingFile>(files: readonly F[], settling: FileSettling): Promise<{ settled: F[]; unsettled: F[] }> {
  const first = settling.now();
  const young = files.filter((f) => first - f.mtimeMs < settling.settleMs);
  if (young.length === 0) return { settled: [...files], unsettled: [] };
  // Wait until the youngest would be old enough (a modification time in the future waits the full period).
  const wait = Math.min(settling.settleMs, Math.max(...young.map((f) => f.mtimeMs + settling.settleMs - first)));
  await settling.sleep(Math.max(0, wait));
  const settled: F[] = [];
  const unsettled: F[] = [];
  for (const f of files) {
    if (!young.includes(f)) settled.push(f);
    else {
      const now = restat(f);
      if (now && now.size === f.size && now.mtimeMs === f.mtimeMs) settled.push(f);
      else if (now) unsettled.push(f);
    }
  }
  return { settled, unsettled };
}

/** DuckDB's reader over the given files, all columns by name (missing ones NULL), each row tagged with its file. */
export function readerSql(files: readonly LandingFile[], format: FileFormat, options: Record<string, string> = {}): string {
  const list = `[${files.map((f) => quoteLiteral(f.localPath)).join(', ')}]`;
  const common = `union_by_name = true, filename = ${quoteLiteral(FILE_COLUMN)}`;
  switch (format) {
    case 'parquet':
      return `read_parquet(${list}, ${common})`;
    case 'json':
      return `read_json_auto(${list}, ${common})`;
    case 'csv': {
      const header = (options.header ?? 'true') === 'true';
      const delimiter = options.sep ?? options.delimiter ?? ',';
      return `read_csv(${list}, ${common}, header = ${header}, delim = ${quoteLiteral(delimiter)})`;
    }
  }
}

/**
 * Checks each file can be opened (for Parquet: the footer, which also gives the row count without a scan).
 * Returns the readable files with their row counts (null when the format has no cheap count) and the bad ones.
 */
export async function probeFiles(
  ex: Executor,
  files: readonly LandingFile[],
  format: FileFormat,
  options: Record<string, string> = {},
): Promise<{ good: { file: LandingFile; rows: number | null }[]; bad: BadFile[] }> {
  const good: { file: LandingFile; rows: number | null }[] = [];
  const bad: BadFile[] = [];
  for (const file of files) {
    try {
      if (format === 'parquet') {
        const rows = await ex.number(`SELECT num_rows AS n FROM parquet_file_metadata(${quoteLiteral(file.localPath)})`);
        good.push({ file, rows });
      } else {
        await ex.rows(`DESCRIBE SELECT * FROM ${readerSql([file], format, options)}`);
        good.push({ file, rows: null });
      }
    } catch (error) {
      bad.push({ file, error: firstLine(error).replaceAll(file.localPath, file.volumePath) });
    }
  }
  return { good, bad };
}

/** Reads each file in full, one by one, to find those whose footer is fine but whose data is not. */
export async function findUnreadable(
  ex: Executor,
  files: readonly LandingFile[],
  format: FileFormat,
  options: Record<string, string> = {},
): Promise<BadFile[]> {
  const bad: BadFile[] = [];
  for (const file of files) {
    try {
      // Every column must be decoded; a bare count(*) would only read the footers.
      await ex.rows(`SELECT max(hash(COLUMNS(*))) FROM ${readerSql([file], format, options)}`);
    } catch (error) {
      bad.push({ file, error: firstLine(error).replaceAll(file.localPath, file.volumePath) });
    }
  }
  return bad;
}

/**
 * The consumer's schema: fixed on its first run from the earliest readable file, then kept.
 * `inferred` is set when it was just inferred and still has to be saved (with the first commit).
 */
export async function consumerSchema(
  ex: Executor,
  catalog: string,
  consumer: string,
  first: LandingFile | undefined,
  format: FileFormat,
  options: Record<string, string>,
): Promise<{ columns: SchemaColumn[]; inferred?: LandingFile } | undefined> {
  const table = systemTable(catalog, 'autoloader_schemas');
  const [stored] = await ex.rows(`SELECT columns FROM ${table} WHERE consumer = ${quoteLiteral(consumer)}`);
  if (stored) return { columns: JSON.parse(String(stored.columns)) as SchemaColumn[] };
  if (!first) return undefined;
  const described = await ex.rows(`DESCRIBE SELECT * FROM ${readerSql([first], format, options)}`);
  const columns = described
    .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
    .filter((c) => c.name !== FILE_COLUMN);
  return { columns, inferred: first };
}

export async function saveConsumerSchema(ex: Executor, catalog: string, consumer: string, columns: readonly SchemaColumn[], from: LandingFile): Promise<void> {
  await ex.run(
    `INSERT INTO ${systemTable(catalog, 'autoloader_schemas')} VALUES (${quoteLiteral(consumer)}, ${quoteLiteral(JSON.stringify(columns))}, ${quoteLiteral(from.volumePath)}, now())`,
  );
}

/**
 * SELECT over the new files producing the consumer's schema columns plus `_rescued_data`, `_source_file`
 * and `_ingested_at`. Values that do not fit their schema type, and columns the schema lacks, are rescued.
 */
export async function ingestSelect(
  ex: Executor,
  files: readonly LandingFile[],
  format: FileFormat,
  options: Record<string, string>,
  schema: readonly SchemaColumn[],
  location: ResolvedLocation,
  ingestedAt: string,
): Promise<string> {
  const reader = readerSql(files, format, options);
  const described = await ex.rows(`DESCRIBE SELECT * FROM ${reader}`);
  const present = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
  const schemaNames = new Set(schema.map((c) => c.name));
  const select: string[] = [];
  const rescued: { name: string; failed: string }[] = [];
  for (const column of schema) {
    const type = present.get(column.name);
    const id = quoteIdent(column.name);
    if (type === undefined) select.push(`CAST(NULL AS ${column.type}) AS ${id}`);
    else if (type === column.type) select.push(id);
    else {
      const cast = `try_cast(${id} AS ${column.type})`;
      select.push(`${cast} AS ${id}`);
      rescued.push({ name: column.name, failed: `(${id} IS NOT NULL AND ${cast} IS NULL)` });
    }
  }
  for (const name of present.keys()) {
    if (name !== FILE_COLUMN && !schemaNames.has(name)) rescued.push({ name, failed: `${quoteIdent(name)} IS NOT NULL` });
  }
  if (schemaNames.has('_rescued_data') || schemaNames.has('_source_file') || schemaNames.has('_ingested_at')) {
    throw new UserError(`Files under ${location.volumeDir} already have a column named like an Auto Loader column (${AUTOLOADER_COLUMNS.join(', ')}).`);
  }
  // The volume path of each row's file, as Databricks records it; local folders never leak into tables.
  const sourceFile = `(${quoteLiteral(location.volumeDir)} || replace(substr(${quoteIdent(FILE_COLUMN)}, ${location.localDir.length + 1}), '\\', '/'))`;
  // Only the values that were actually rescued appear, plus the file they came from (as Databricks does).
  const entries = [
    ...rescued.map((r) => `{'k': ${quoteLiteral(r.name)}, 'v': CASE WHEN ${r.failed} THEN to_json(${quoteIdent(r.name)}) END}`),
    `{'k': '_file_path', 'v': to_json(${sourceFile})}`,
  ];
  const rescue =
    rescued.length === 0
      ? 'CAST(NULL AS VARCHAR)'
      : `CASE WHEN ${rescued.map((r) => r.failed).join(' OR ')} THEN CAST(to_json(map_from_entries(list_filter([${entries.join(', ')}], x -> x.v IS NOT NULL))) AS VARCHAR) END`;
  select.push(`${rescue} AS _rescued_data`, `${sourceFile} AS _source_file`, `TIMESTAMP ${quoteLiteral(ingestedAt)} AS _ingested_at`);
  return `SELECT ${select.join(', ')} FROM ${reader}`;
}

/** Marks files as taken by the consumer; part of the same transaction as the rows they produced. */
export async function checkpointFiles(
  ex: Executor,
  catalog: string,
  consumer: string,
  updateId: string,
  good: readonly { file: LandingFile; rows: number | null }[],
  bad: readonly BadFile[],
): Promise<void> {
  const c = quoteLiteral(consumer);
  const u = quoteLiteral(updateId);
  const values = [
    ...good.map(({ file, rows }) => `(${c}, ${quoteLiteral(file.volumePath)}, ${file.size}, ${file.mtimeMs}, 'ok', ${rows ?? 'NULL'}, ${u}, now())`),
    ...bad.map(({ file }) => `(${c}, ${quoteLiteral(file.volumePath)}, ${file.size}, ${file.mtimeMs}, 'bad', NULL, ${u}, now())`),
  ];
  if (values.length > 0) await ex.run(`INSERT INTO ${systemTable(catalog, 'autoloader_files')} VALUES ${values.join(', ')}`);
  if (bad.length > 0) {
    await ex.run(
      `INSERT INTO ${systemTable(catalog, 'bad_files')} VALUES ${bad
        .map(({ file, error }) => `(${c}, ${quoteLiteral(file.volumePath)}, ${file.size}, ${file.mtimeMs}, ${quoteLiteral(redact(error))}, ${u}, now())`)
        .join(', ')}`,
    );
  }
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 1000);
}
