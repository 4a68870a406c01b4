// What a table model means, decided once: which kinds exist, which columns are enforced and how, the rules a
// row is judged by (their names, actions and the rows each is measured on), what `where` does, what a
// quarantine row holds, how duplicates are resolved and which columns file rows carry. The DLT SQL generator,
// the notebook generator (whose Python runtime gets these decisions as data) and the local engine all render
// this, so a row is judged the same way wherever it runs; src/synth/cleanse-code.ts turns it into SQL.
import { UserError } from '../errors/index.ts';
import type { ColumnType, ExpectationAction, TableKind, TableModel, TableSource } from './types.ts';

export const TABLE_KINDS: readonly TableKind[] = ['streaming_table', 'materialized_view', 'view'];

/** Column of a quarantine table listing the rules a row broke. */
export const FAILED_RULES_COLUMN = '_failed_rules';
/** Column of a quarantine table with the time the row was quarantined (the update's time). */
export const QUARANTINED_AT_COLUMN = '_quarantined_at';
/** Where Auto Loader / read_files keep values that do not fit the files' schema. */
export const RESCUED_DATA_COLUMN = '_rescued_data';

/**
 * Columns rows of a files source carry besides the files' own (always for untyped tables; a typed table keeps
 * only its declared columns, and may declare these). `databricks` is how Databricks computes each.
 */
export const FILE_METADATA_COLUMNS: readonly { name: string; type: ColumnType; databricks: string }[] = [
  { name: '_source_file', type: 'STRING', databricks: '_metadata.file_path' },
  { name: '_ingested_at', type: 'TIMESTAMP', databricks: 'current_timestamp()' },
];

/**
 * Reader options every files source gets unless the table sets them: values that do not fit the schema are kept
 * in `_rescued_data`, the schema is not evolved (a new column lands in `_rescued_data` too, as locally), so a
 * table's columns only change when its definition does, and corrupt files are skipped. Keys as read_files spells them (Auto Loader prefixes
 * `cloudFiles.` to schemaEvolutionMode, see `autoLoaderOptionKey`).
 */
export const DEFAULT_FILE_OPTIONS: Readonly<Record<string, string>> = {
  rescuedDataColumn: RESCUED_DATA_COLUMN,
  schemaEvolutionMode: 'rescue',
  // A corrupt or partial file is skipped (and counted: numSkippedCorruptFiles in the table's history), not a
  // failed update; the local engine sets such a file aside as a bad file.
  ignoreCorruptFiles: 'true',
};

/** Rule name a failed cast of `column` is reported under (a `:` no expectation name may contain). */
export function castRuleName(column: string): string {
  return `cast:${column}`;
}

/** One enforced column: its source value (expression, else the column itself) cast to `type`. */
export interface CastSemantics {
  column: string;
  type: ColumnType;
  /** SQL over the source row; absent means the source column of the same name. */
  expression?: string;
  /** The rule a present value that does not cast breaks; absent for STRING (a cast to text cannot fail). */
  rule?: string;
}

export interface RuleSemantics {
  name: string;
  action: ExpectationAction;
  origin: 'cast' | 'expectation';
  /** Expectations: the condition a valid row satisfies (NULL counts as broken). */
  condition?: string;
  /** Cast rules: the column. */
  column?: string;
  /**
   * The rows a rule is measured on: cast rules on every row; expectations on rows that cast cleanly and are in
   * scope (`where` not FALSE), because a NULL left by a failed cast says nothing about the expectation.
   */
  measuredOn: 'every_row' | 'typed_rows_in_scope';
}

export interface QuarantineSemantics {
  table: string;
  /**
   * The quarantine table's columns: each enforced column's source value as text (what arrived, even when it did
   * not cast), then the broken rules and the time. A table without enforced columns keeps its rows' own
   * columns (`keepsSourceColumns`) before the two.
   */
  columns: { name: string; type: string }[];
  keepsSourceColumns: boolean;
}

export interface DedupeSemantics {
  keys: string[];
  sequence_by: string;
  /** Within one batch the row with the greatest `sequence_by` wins per key; NULL sorts last. */
  withinBatch: 'greatest_sequence_nulls_last';
  /**
   * Against the stored row: replaces it only when strictly newer (or the stored sequence is NULL and the new one
   * is not), so a re-delivered row changes nothing (SCD type 1, as AUTO CDC ... STORED AS SCD TYPE 1).
   */
  againstStored: 'strictly_newer';
}

export interface TableSemantics {
  name: string;
  kind: TableKind;
  /** Enforced columns (streaming tables only: materialized views and views take their query's columns). */
  casts: CastSemantics[];
  /** Cast rules (declared column order), then expectations (views check none). */
  rules: RuleSemantics[];
  /** Rows it makes FALSE are out of scope (neither clean nor quarantined); NULL keeps a row in scope. Views: none. */
  where?: string;
  /** Rows that fail a cast, or are in scope and break a drop rule, go here; the rest of the clean split is implied. */
  quarantine?: QuarantineSemantics;
  /** Streaming tables only. */
  dedupe?: DedupeSemantics;
  source?: TableSource;
  query?: string;
  /** Columns an untyped table of a files source adds to each row (FILE_METADATA_COLUMNS), else none. */
  fileMetadata: readonly { name: string; type: ColumnType; databricks: string }[];
  /** Reader options of a files source: the defaults, then the table's own (which win, compared ignoring case). */
  fileOptions?: Record<string, string>;
}

/** The meaning of `t`; an unknown kind is refused rather than built as another kind. */
export function tableSemantics(t: TableModel): TableSemantics {
  if (!TABLE_KINDS.includes(t.kind)) unknownKind(t);
  const streaming = t.kind === 'streaming_table';
  const casts: CastSemantics[] = streaming
    ? (t.columns ?? []).map((c) => ({
        column: c.name,
        type: c.type,
        ...(c.expression !== undefined ? { expression: c.expression } : {}),
        ...(c.type === 'STRING' ? {} : { rule: castRuleName(c.name) }),
      }))
    : [];
  const rules: RuleSemantics[] = [];
  for (const c of casts) if (c.rule) rules.push({ name: c.rule, action: 'drop', origin: 'cast', column: c.column, measuredOn: 'every_row' });
  if (t.kind !== 'view') {
    for (const e of t.expectations) rules.push({ name: e.name, action: e.action, origin: 'expectation', condition: e.condition, measuredOn: 'typed_rows_in_scope' });
  }
  const out: TableSemantics = { name: t.name, kind: t.kind, casts, rules, fileMetadata: [] };
  if (t.where !== undefined && t.kind !== 'view') out.where = t.where;
  if (t.quarantine_table !== undefined && t.kind !== 'view') {
    out.quarantine = {
      table: t.quarantine_table,
      columns: [...casts.map((c) => ({ name: c.column, type: 'STRING' })), { name: FAILED_RULES_COLUMN, type: 'ARRAY<STRING>' }, { name: QUARANTINED_AT_COLUMN, type: 'TIMESTAMP' }],
      keepsSourceColumns: casts.length === 0,
    };
  }
  if (t.dedupe && streaming) {
    out.dedupe = { keys: [...t.dedupe.keys], sequence_by: t.dedupe.sequence_by, withinBatch: 'greatest_sequence_nulls_last', againstStored: 'strictly_newer' };
  }
  if (streaming && t.source) out.source = t.source;
  if (!streaming && t.query !== undefined) out.query = t.query;
  if (streaming && t.source?.type === 'files') {
    if (casts.length === 0) out.fileMetadata = FILE_METADATA_COLUMNS;
    out.fileOptions = fileOptions(t.source.options);
  }
  return out;
}

function fileOptions(user: Record<string, string> = {}): Record<string, string> {
  const userKeys = new Set(Object.keys(user).map((k) => k.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(DEFAULT_FILE_OPTIONS)) if (!userKeys.has(k.toLowerCase()) && !userKeys.has(`cloudfiles.${k.toLowerCase()}`)) out[k] = v;
  for (const k of Object.keys(user).sort()) out[k] = user[k]!;
  return out;
}

/** Auto Loader's spelling of a read_files option key: its own options carry the `cloudFiles.` prefix. */
export function autoLoaderOptionKey(key: string): string {
  return key === 'schemaEvolutionMode' ? 'cloudFiles.schemaEvolutionMode' : key;
}

/** True when rows pass unchanged: no enforced columns, rules, filter or dedupe (so nothing can be quarantined). */
export function isPassThrough(s: TableSemantics): boolean {
  return s.casts.length === 0 && s.rules.length === 0 && s.where === undefined && !s.dedupe;
}

/** A kind the model does not know: never generate or run another kind in its place. */
export function unknownKind(t: { name: string; kind: unknown }): never {
  throw new UserError(
    `Table ${t.name} has kind ${JSON.stringify(t.kind)}, which is not a kind of table.`,
    'Use streaming_table, materialized_view or view (dbx-ts validate names the closest).',
  );
}

/**
 * Data quality of notebook-built tables: one row per rule and micro-batch (DataFrame aggregations, never driver
 * memory), in `${catalog}.<schema>.dbx_ts_quality`, where <schema> is that of the notebook's first table with
 * rules. The generated notebook and the local engine write the same table.
 */
export const QUALITY_TABLE_NAME = 'dbx_ts_quality';
export const QUALITY_TABLE_COLUMNS: readonly { name: string; type: string }[] = [
  { name: 'run_id', type: 'STRING' },
  { name: 'dataset', type: 'STRING' },
  { name: 'expectation', type: 'STRING' },
  { name: 'action', type: 'STRING' },
  { name: 'batch_id', type: 'BIGINT' },
  { name: 'passed_records', type: 'BIGINT' },
  { name: 'failed_records', type: 'BIGINT' },
  { name: 'dropped_records', type: 'BIGINT' },
  { name: 'recorded_at', type: 'TIMESTAMP' },
];

/** `<schema>.dbx_ts_quality` for these tables: the schema of the first with rules, else of the first, else `default`. */
export function qualityTableFor(tables: readonly TableModel[]): string {
  const first = tables.find((t) => TABLE_KINDS.includes(t.kind) && tableSemantics(t).rules.length > 0) ?? tables[0];
  const parts = (first?.name ?? '').replace(/^\$\{catalog\}\./, '').split('.');
  return `${parts.length >= 2 ? parts[parts.length - 2] : 'default'}.${QUALITY_TABLE_NAME}`;
}
