import { describe, expect, it } from 'vitest';
import { Dashboard, Pipeline } from '../../src/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { validateModel } from '../../src/validate/index.ts';
import { checkSql } from '../../src/validate/sql-subset.ts';
import { tokenize } from '../../src/validate/sql-tokenize.ts';
import { FIXTURE_REPO, markedLine, matching, only, testBundle } from './helpers.ts';

const constructs = (sql: string, placeholders?: string[]) =>
  checkSql(sql, placeholders ? { placeholders } : {}).map((f) => `${f.severity} ${f.construct} ${f.line}:${f.column}`);

/** `line:column` (1-based) of the first, or last, occurrence of `needle` in a one-line SQL text. */
const at = (sql: string, needle: string, which: 'first' | 'last' = 'first'): string =>
  `1:${(which === 'first' ? sql.indexOf(needle) : sql.lastIndexOf(needle)) + 1}`;

describe('SQL tokenizer', () => {
  it('keeps strings, quoted identifiers, comments and placeholders whole', () => {
    const { tokens } = tokenize("SELECT 'it''s -- not a comment', `a b`, \"c\" /* x */ FROM ${catalog}.s.t -- tail\nWHERE x::INT <=> 1.5e3");
    expect(tokens.map((t) => `${t.kind}:${t.text}`)).toEqual([
      'word:SELECT', "string:'it''s -- not a comment'", 'punct:,', 'backtick:`a b`', 'punct:,', 'dquote:"c"', 'word:FROM',
      'placeholder:${catalog}', 'punct:.', 'word:s', 'punct:.', 'word:t', 'word:WHERE', 'word:x', 'operator:::', 'word:INT',
      'operator:<=>', 'number:1.5e3',
    ]);
    expect(tokens.at(-1)).toMatchObject({ line: 2, column: 'WHERE x::INT <=> '.length + 1 });
  });

  it('reads prefixed strings, number suffixes and unterminated text', () => {
    const { tokens, unterminatedComments } = tokenize("r'\\d' e'\\n' 10L 'open /* never");
    expect(tokens.map((t) => [t.kind, t.prefix ?? t.suffix ?? '', t.unterminated ?? false])).toEqual([
      ['string', 'r', false],
      ['string', 'e', false],
      ['number', 'L', false],
      ['string', '', true],
    ]);
    expect(unterminatedComments).toEqual([]);
    expect(tokenize('SELECT 1 /* a /* nested */ still comment').unterminatedComments).toEqual([{ line: 1, column: 10 }]);
  });
});

describe('SQL subset check', () => {
  it('accepts the portable subset, including the reference bundle style', () => {
    const sql = `WITH s AS (SELECT trim(id) AS id, CAST(round(q * p, 2) AS DECIMAL(18,2)) AS revenue FROM \${catalog}.silver.sales)
      SELECT year(ts) AS y, coalesce(x, 'n/a'), count(*), sum(revenue) OVER (PARTITION BY y ORDER BY ts)
      FROM s WHERE ts <= now() + INTERVAL 1 DAY AND c IN ('a', 'b') AND try_cast(v AS INT) IS NOT NULL -- date_format(x) in a comment`;
    expect(checkSql(sql)).toEqual([]);
  });

  it('flags Spark-only and DuckDB-only functions, but not inside strings or comments', () => {
    const spark = "SELECT date_format(ts, 'yyyy'), collect_list(x), 'explode(y)' /* explode(z) */, explode(arr)";
    expect(constructs(spark)).toEqual([
      'warning date_format( 1:8',
      `warning collect_list( ${at(spark, 'collect_list')}`,
      `warning explode( ${at(spark, 'explode', 'last')}`,
    ]);
    const duck = "SELECT strftime(ts, '%Y'), list_sort(l), epoch_ms(ts)";
    expect(constructs(duck)).toEqual([
      'warning strftime( 1:8',
      `warning list_sort( ${at(duck, 'list_sort')}`,
      `warning epoch_ms( ${at(duck, 'epoch_ms')}`,
    ]);
    const message = checkSql('SELECT collect_list(x)')[0]!.message;
    expect(message).toMatch(/^`collect_list\(` runs on Databricks but not on DuckDB; /);
  });

  it('warns about functions outside the allowlist and reports each construct once', () => {
    expect(constructs('SELECT my_udf(a), my_udf(b), upper(c)')).toEqual(['warning my_udf( 1:8']);
  });

  it('flags quoting, casts and operators that differ between the engines', () => {
    const sql = 'SELECT `a`, "b", x::INT, a <=> b, c ILIKE \'%x%\', CAST(d AS VARCHAR)';
    expect(constructs(sql)).toEqual(['`a`', '"b"', '::', '<=>', 'ILIKE', 'VARCHAR'].map((c) => `warning ${c} ${at(sql, c)}`));
  });

  it('rejects the deprecated LIVE prefix and unknown placeholders', () => {
    const sql = 'SELECT * FROM LIVE.sales JOIN ${var.catalog}.s.t';
    expect(constructs(sql)).toEqual([`error LIVE. ${at(sql, 'LIVE')}`, `error \${var.catalog} ${at(sql, '${var')}`]);
  });

  it('flags backslashes and literal syntax only one engine has', () => {
    const sql = "SELECT 'a\\\\b', r'raw', e'esc', 1L";
    expect(constructs(sql)).toEqual(["'a\\\\b'", "r'", "e'", '1L'].map((c) => `warning ${c} ${at(sql, c)}`));
  });

  it('accepts only the placeholders the runtime substitutes in the text', () => {
    const sql = 'SELECT * FROM ${catalog}.gold.sales WHERE d >= ${start_date} AND x = ${schema}';
    expect(constructs(sql, ['catalog', 'start_date'])).toEqual([`error \${schema} ${at(sql, '${schema}')}`]);
    expect(constructs(sql)).toEqual([`error \${start_date} ${at(sql, '${start_date}')}`]);
  });

  it('does not mistake CTE column lists, window clauses or qualified calls for functions', () => {
    expect(constructs('WITH t (a, b) AS (SELECT 1, 2) SELECT a FROM t WHERE EXISTS (SELECT 1) AND b IN (1) AND sch.fn(a) > 0')).toEqual([]);
  });
});

describe('SQL in the model', () => {
  it('reports Spark-only SQL with the path of the string and the line of the table', () => {
    const app = testBundle();
    const pipeline = new Pipeline(app, 'ingest', { serverless: true });
    pipeline.table({ // @mark spark-sql
      name: 'gold.daily',
      layer: 'gold',
      kind: 'materialized_view',
      query: "SELECT date_format(ts, 'yyyy-MM-dd') AS day\nFROM LIVE.sales",
    });
    new Dashboard(app, 'dash', { // @mark dashboard-sql
      display_name: 'D',
      datasets: [{ name: 'd', display_name: 'D', query: 'SELECT collect_set(x) FROM ${catalog}.gold.daily' }],
      widgets: [],
    });
    const diagnostics = validateModel(resolve(app).model, { repoRoot: FIXTURE_REPO });
    const spark = only(diagnostics, 'date_format');
    expect(spark.severity).toBe('warning');
    expect(spark.message).toMatch(/^SQL query of table "gold\.daily", line 1 column 8: `date_format\(` runs on Databricks but not on DuckDB; /);
    expect(spark.path).toBe('resources.pipelines.ingest.tables[0].query');
    expect(spark.location?.line).toBe(markedLine(import.meta.url, 'spark-sql'));
    const live = only(diagnostics, 'LIVE');
    expect(live.severity).toBe('error');
    expect(live.message).toContain('line 2 column 6');
    const dashboard = only(diagnostics, 'collect_set');
    expect(dashboard.path).toBe('resources.dashboards.dash.datasets[0].query');
    expect(dashboard.location?.line).toBe(markedLine(import.meta.url, 'dashboard-sql'));
    expect(matching(diagnostics, 'gold.daily` is not a table')).toEqual([]);
  });
});
