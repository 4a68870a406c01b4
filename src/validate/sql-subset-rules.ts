// The SQL subset dbx-ts promises runs the same on Databricks SQL and DuckDB, as data: the checker in
// sql-subset.ts only looks things up here. Allowlisted functions exist in both engines with the same meaning;
// tests/validate/sql-subset-rules.test.ts confirms the DuckDB half against the installed DuckDB.
import type { Severity } from './diagnostic.ts';

export interface SqlRule {
  severity: Severity;
  /** Why it is outside the subset and what to write instead. */
  message: string;
}

/** Functions known to exist with the same meaning in Databricks SQL and DuckDB. */
export const PORTABLE_FUNCTIONS: readonly string[] = [
  // strings
  'ascii', 'char_length', 'character_length', 'chr', 'concat_ws', 'contains', 'instr', 'left', 'length',
  'lower', 'lpad', 'ltrim', 'md5', 'octet_length', 'position', 'repeat', 'replace', 'reverse', 'right', 'rpad',
  'rtrim', 'sha1', 'split_part', 'substr', 'substring', 'translate', 'trim', 'upper',
  // numbers
  'abs', 'ceil', 'ceiling', 'exp', 'floor', 'isnan', 'ln', 'log10', 'log2', 'mod', 'pow', 'power', 'round', 'sign', 'sqrt',
  // dates and times
  'current_date', 'date_part', 'date_trunc', 'day', 'dayofmonth', 'dayofyear', 'hour', 'last_day', 'make_date',
  'minute', 'month', 'now', 'quarter', 'second', 'weekofyear', 'year',
  // conditionals and null handling
  'greatest', 'least', 'nullif',
  // aggregates
  'any_value', 'approx_count_distinct', 'avg', 'bool_and', 'bool_or', 'corr', 'count', 'count_if', 'covar_pop',
  'covar_samp', 'max', 'max_by', 'median', 'min', 'min_by', 'mode', 'stddev', 'stddev_pop', 'stddev_samp', 'sum',
  'variance',
  // window functions
  'cume_dist', 'dense_rank', 'first_value', 'lag', 'last_value', 'lead', 'nth_value', 'ntile', 'percent_rank', 'rank',
  'row_number',
  // arrays and misc
  'array_contains', 'uuid',
];

/**
 * Function-like syntax both engines accept that DuckDB does not list in duckdb_functions(); each has a DuckDB
 * probe the rules test runs.
 */
export const PORTABLE_SPECIAL_FORMS: Readonly<Record<string, string>> = {
  cast: "SELECT CAST('1' AS INT)",
  try_cast: "SELECT try_cast('x' AS INT)",
  coalesce: 'SELECT coalesce(NULL, 1)',
  if: 'SELECT if(true, 1, 2)',
  ifnull: 'SELECT ifnull(NULL, 1)',
  extract: 'SELECT extract(YEAR FROM DATE \'2024-01-31\')',
};

const sparkOnly = (instead: string): SqlRule => ({ severity: 'warning', message: `runs on Databricks but not on DuckDB; ${instead}` });
const duckdbOnly = (instead: string): SqlRule => ({ severity: 'warning', message: `runs on DuckDB but not on Databricks; ${instead}` });
const differs = (how: string): SqlRule => ({ severity: 'warning', message: `means different things on Databricks and DuckDB: ${how}` });

/** Functions outside the subset, with the reason. Names are lower case. */
export const FUNCTION_DENYLIST: Readonly<Record<string, SqlRule>> = {
  date_format: sparkOnly('its Java patterns (yyyy-MM-dd) are not DuckDB strftime patterns (%Y-%m-%d); use year()/month()/day() or date_trunc()'),
  to_date: sparkOnly('use CAST(x AS DATE)'),
  to_timestamp: differs('Databricks parses a string with a Java pattern, DuckDB converts epoch seconds; use CAST(x AS TIMESTAMP)'),
  unix_timestamp: sparkOnly('use CAST(x AS TIMESTAMP) and compare timestamps'),
  from_unixtime: sparkOnly('store timestamps, not epoch seconds'),
  datediff: differs('Databricks takes (end, start), DuckDB takes (part, start, end); subtract dates or use date_trunc()'),
  date_diff: differs('the arguments differ; subtract dates instead'),
  date_add: differs('Databricks adds days, DuckDB adds an interval; write x + INTERVAL 1 DAY'),
  date_sub: differs('Databricks subtracts days, DuckDB counts the parts between two dates; write x - INTERVAL 1 DAY'),
  add_months: sparkOnly('write x + INTERVAL 1 MONTH'),
  months_between: sparkOnly('compute with year() and month()'),
  dayofweek: differs('Databricks counts Sunday as 1, DuckDB as 0'),
  collect_list: sparkOnly('aggregate to scalars (count, sum, max...) or join instead of building arrays'),
  collect_set: sparkOnly('aggregate to scalars or use count(DISTINCT ...)'),
  explode: sparkOnly('DuckDB uses unnest(); keep rows flat in the model instead'),
  explode_outer: sparkOnly('keep rows flat in the model instead'),
  posexplode: sparkOnly('keep rows flat in the model instead'),
  inline: sparkOnly('keep rows flat in the model instead'),
  size: sparkOnly('DuckDB uses len(); avoid arrays in the model'),
  element_at: differs('argument types and out-of-range behaviour differ; avoid arrays in the model'),
  array: sparkOnly('DuckDB writes list literals as [..]; avoid arrays in the model'),
  map: differs('map constructors differ; avoid maps in the model'),
  struct: sparkOnly('avoid nested types in the model'),
  named_struct: sparkOnly('avoid nested types in the model'),
  sort_array: sparkOnly('avoid arrays in the model'),
  split: differs('Databricks splits on a regular expression, DuckDB on a literal string; use split_part()'),
  concat: differs('Databricks returns NULL when any argument is NULL, DuckDB skips NULLs; use || or concat_ws()'),
  regexp_extract: differs('without a group index Databricks returns group 1 and DuckDB the whole match'),
  regexp_replace: differs('Databricks replaces every match, DuckDB only the first unless given the "g" flag'),
  rlike: sparkOnly('DuckDB uses regexp_matches(); use LIKE where possible'),
  get_json_object: sparkOnly('parse JSON when landing the data, not in the model'),
  from_json: differs('Databricks takes a schema string, DuckDB a JSON structure; parse JSON when landing the data'),
  to_json: differs('the function signatures differ'),
  json_tuple: sparkOnly('parse JSON when landing the data, not in the model'),
  sha2: sparkOnly('use md5() or sha1()'),
  hash: differs('the hash functions differ, so values differ'),
  rand: differs('Databricks rand(seed) and DuckDB random() produce different values; avoid randomness in the model'),
  monotonically_increasing_id: sparkOnly('use row_number() OVER (ORDER BY ...)'),
  input_file_name: sparkOnly('record the source file when landing the data instead'),
  percentile_approx: sparkOnly('use median() or approx_count_distinct()'),
  nvl: sparkOnly('use coalesce()'),
  nvl2: sparkOnly('use CASE WHEN ... IS NOT NULL THEN ... ELSE ... END'),
  decode: differs('Databricks decode() is a CASE shorthand or charset decoding, DuckDB decodes blobs; use CASE'),
  initcap: sparkOnly('there is no portable equivalent; format text outside SQL'),
  isnull: sparkOnly('write x IS NULL'),
  isnotnull: sparkOnly('write x IS NOT NULL'),
  current_timestamp: { severity: 'warning', message: 'with parentheses runs on Databricks but not on DuckDB; write current_timestamp without () or now()' },
  read_files: sparkOnly('declare a files source on the table instead'),
  cloud_files: sparkOnly('declare a files source on the table instead'),
  stream: sparkOnly('declare a table source on a streaming table instead'),
  strftime: duckdbOnly('use year()/month()/day() or date_trunc()'),
  strptime: duckdbOnly('use CAST(x AS TIMESTAMP)'),
  epoch: duckdbOnly('store timestamps, not epoch seconds'),
  make_timestamp: differs('argument lists differ; use CAST(x AS TIMESTAMP)'),
  string_split: duckdbOnly('use split_part()'),
  str_split: duckdbOnly('use split_part()'),
  string_agg: duckdbOnly('only recent Databricks runtimes have it; aggregate to scalars instead'),
  list: duckdbOnly('aggregate to scalars instead'),
  struct_pack: duckdbOnly('avoid nested types in the model'),
  unnest: duckdbOnly('keep rows flat in the model instead'),
  generate_series: duckdbOnly('there is no portable equivalent'),
  range: differs('Databricks range() is a table function, DuckDB range() returns a list'),
  regexp_full_match: duckdbOnly('use LIKE'),
  regexp_matches: duckdbOnly('use LIKE'),
  read_parquet: duckdbOnly('declare a files source on the table instead'),
  read_csv: duckdbOnly('declare a files source on the table instead'),
  read_csv_auto: duckdbOnly('declare a files source on the table instead'),
  read_json: duckdbOnly('declare a files source on the table instead'),
  read_json_auto: duckdbOnly('declare a files source on the table instead'),
  json_extract: duckdbOnly('parse JSON when landing the data, not in the model'),
  json_extract_string: duckdbOnly('parse JSON when landing the data, not in the model'),
  today: duckdbOnly('use current_date'),
  age: duckdbOnly('subtract timestamps instead'),
};

/** Name prefixes of whole DuckDB-only function families (list_sort, epoch_ms, ...). */
export const DUCKDB_ONLY_PREFIXES: Readonly<Record<string, SqlRule>> = {
  list_: duckdbOnly('avoid lists in the model'),
  epoch_: duckdbOnly('store timestamps, not epoch values'),
};

/** Operators outside the subset. */
export const OPERATOR_DENYLIST: Readonly<Record<string, SqlRule>> = {
  '::': { severity: 'warning', message: 'casts work only on newer Databricks runtimes; write CAST(x AS type)' },
  '<=>': sparkOnly('write a IS NOT DISTINCT FROM b'),
  '->': differs('lambda syntax differs between engines; avoid higher-order functions in the model'),
};

/** Keyword sequences outside the subset (upper case, matched word by word). */
export const KEYWORD_DENYLIST: readonly { words: readonly string[]; rule: SqlRule }[] = [
  { words: ['ILIKE'], rule: differs('Databricks treats backslash as the default escape character and DuckDB has none; write lower(x) LIKE lower(pattern)') },
  { words: ['RLIKE'], rule: sparkOnly('use LIKE') },
  { words: ['REGEXP'], rule: sparkOnly('use LIKE') },
  { words: ['SIMILAR', 'TO'], rule: duckdbOnly('use LIKE') },
  { words: ['GLOB'], rule: duckdbOnly('use LIKE') },
  { words: ['LATERAL', 'VIEW'], rule: sparkOnly('keep rows flat in the model instead') },
  { words: ['DISTRIBUTE', 'BY'], rule: sparkOnly('leave data distribution to the engine') },
  { words: ['SORT', 'BY'], rule: sparkOnly('use ORDER BY') },
  { words: ['CLUSTER', 'BY'], rule: sparkOnly('leave data layout to the engine') },
  { words: ['PIVOT'], rule: differs('PIVOT syntax differs; aggregate with CASE WHEN ... END instead') },
];

/** `LIVE.<table>`: the deprecated way DLT pipelines referred to their own tables. */
export const LIVE_PREFIX_RULE: SqlRule = {
  severity: 'error',
  message: 'The LIVE schema prefix is deprecated in Lakeflow Declarative Pipelines and unknown to DuckDB; write ${catalog}.<schema>.<table>',
};

/** Types allowed in CAST / try_cast: the model's column types and their plain aliases. */
export const PORTABLE_CAST_TYPES: readonly string[] = [
  'STRING', 'INT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'DOUBLE', 'FLOAT', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'DECIMAL', 'NUMERIC',
];

/** Words that may stand before `(` without being a function call. */
export const NON_FUNCTION_WORDS: readonly string[] = [
  'ALL', 'AND', 'ANY', 'AS', 'BETWEEN', 'BY', 'CASE', 'DISTINCT', 'ELSE', 'END', 'EXCEPT', 'EXISTS', 'FILTER', 'FROM',
  'GROUP', 'HAVING', 'IN', 'INTERSECT', 'IS', 'JOIN', 'LATERAL', 'LIKE', 'LIMIT', 'NOT', 'ON', 'OR', 'ORDER', 'OVER',
  'PARTITION', 'QUALIFY', 'RANGE', 'RECURSIVE', 'ROWS', 'SELECT', 'SOME', 'TABLE', 'THEN', 'UNION', 'USING', 'VALUES',
  'WHEN', 'WHERE', 'WITH', 'WITHIN',
];

/** `${...}` placeholders substituted per target in model SQL (`schema` only in dashboard queries). */
export const SQL_PLACEHOLDERS: readonly string[] = ['catalog', 'schema'];

/** String literal features outside the subset. */
export const LITERAL_RULES = {
  backslash: differs("a backslash escapes the next character in Databricks string literals but is literal in DuckDB; avoid backslashes or use LIKE ... ESCAPE"),
  rawPrefix: sparkOnly("r'...' raw strings are Databricks syntax; write a plain '...' literal"),
  escapePrefix: duckdbOnly("e'...' escape strings are DuckDB syntax; write a plain '...' literal"),
  numberSuffix: sparkOnly('typed literal suffixes (1L, 1.5D, 1BD) are Databricks syntax (DuckDB reads 1L as 1 AS L); write CAST(1 AS BIGINT)'),
  backtick: sparkOnly('DuckDB does not accept `backtick` identifiers; use plain identifiers (letters, digits, _)'),
  doubleQuote: differs('"..." is a string on Databricks and an identifier on DuckDB; use \'...\' for strings and plain identifiers for names'),
} as const satisfies Record<string, SqlRule>;
