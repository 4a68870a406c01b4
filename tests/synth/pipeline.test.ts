import { describe, expect, it } from 'vitest';
import type { PipelineModel, TableModel } from '../../src/model/types.ts';
import { renderPipelineSql } from '../../src/synth/pipeline-sql.ts';

const bronze: TableModel = {
  name: 'bronze.sales_raw',
  layer: 'bronze',
  kind: 'streaming_table',
  comment: "Sales as they land (it's raw)",
  source: { type: 'files', path: '/Volumes/${catalog}/landing/raw/sales', format: 'parquet', options: { 'cloudFiles.maxFilesPerTrigger': '10' } },
  expectations: [],
};

const silver: TableModel = {
  name: 'silver.sales',
  layer: 'silver',
  kind: 'streaming_table',
  comment: 'Typed sales',
  source: { type: 'table', table: 'bronze.sales_raw' },
  columns: [
    { name: 'transaction_id', type: 'STRING', expression: 'trim(transaction_id)' },
    { name: 'quantity', type: 'INT' },
    { name: 'ts', type: 'TIMESTAMP' },
  ],
  where: "transaction_id <> 'test'",
  expectations: [
    { name: 'valid_id', condition: 'transaction_id IS NOT NULL', action: 'drop' },
    { name: 'positive_quantity', condition: 'quantity > 0', action: 'drop' },
    { name: 'not_absurd', condition: 'quantity < 1000000', action: 'fail' },
    { name: 'recent', condition: "ts > TIMESTAMP '2020-01-01'", action: 'warn' },
  ],
  dedupe: { keys: ['transaction_id'], sequence_by: 'ts' },
  quarantine_table: 'silver.sales_quarantine',
};

const gold: TableModel = {
  name: 'gold.daily',
  layer: 'gold',
  kind: 'materialized_view',
  query: 'SELECT CAST(ts AS DATE) AS d, sum(quantity) AS q FROM ${catalog}.silver.sales GROUP BY 1',
  expectations: [{ name: 'has_day', condition: 'd IS NOT NULL', action: 'warn' }],
};

const view: TableModel = {
  name: 'gold.v_daily',
  layer: 'gold',
  kind: 'view',
  comment: 'Daily view',
  query: 'SELECT * FROM ${catalog}.gold.daily',
  expectations: [],
};

const pipeline: PipelineModel = {
  settings: { name: 'sales_pipeline', catalog: '${var.catalog}', schema: 'silver' },
  tables: [bronze, silver, gold, view],
  source_path: 'src/pipelines/sales_pipeline.sql',
};

/** The statements of the generated file, without comment lines. */
function statements(sql: string): string[] {
  return sql
    .split(/;\n/)
    .map((s) => s.split('\n').filter((l) => !l.startsWith('--')).join('\n').trim())
    .filter((s) => s.length > 0);
}

describe('renderPipelineSql', () => {
  const sql = renderPipelineSql(pipeline);
  const stmts = statements(sql);

  it('is deterministic', () => {
    expect(renderPipelineSql(structuredClone(pipeline))).toBe(sql);
  });

  it('uses current syntax: no LIVE. prefix, no APPLY CHANGES, fully qualified names with ${catalog}', () => {
    expect(sql).not.toMatch(/\bLIVE\./i);
    expect(sql).not.toMatch(/APPLY CHANGES/i);
    expect(sql).not.toMatch(/CREATE (OR REFRESH )?(TEMPORARY )?LIVE/i);
    for (const m of sql.matchAll(/CREATE OR REFRESH (?:STREAMING TABLE|MATERIALIZED VIEW) (\S+)/g)) {
      expect(m[1]).toMatch(/^`\$\{catalog\}`\.`[a-z_]+`\.`[a-z_]+`$/);
    }
  });

  it('ingests files with Auto Loader through STREAM read_files, rescuing bad data and recording the source file', () => {
    const stmt = stmts.find((s) => s.includes('`bronze`.`sales_raw`') && s.startsWith('CREATE'))!;
    expect(stmt).toContain('FROM STREAM read_files(');
    expect(stmt).toContain("'/Volumes/${catalog}/landing/raw/sales'");
    expect(stmt).toContain("`format` => 'parquet'");
    expect(stmt).toContain("`rescuedDataColumn` => '_rescued_data'");
    expect(stmt).toContain("`schemaEvolutionMode` => 'rescue'");
    expect(stmt).toContain("`cloudFiles.maxFilesPerTrigger` => '10'");
    expect(stmt).toContain('_metadata.file_path AS `_source_file`');
    expect(stmt).toContain("COMMENT 'Sales as they land (it\\'s raw)'");
  });

  it('declares one CONSTRAINT per expectation with the matching violation action', () => {
    const target = stmts.find((s) => s.startsWith('CREATE OR REFRESH STREAMING TABLE `${catalog}`.`silver`.`sales` ('))!;
    expect(target).toContain('CONSTRAINT `valid_id` EXPECT (coalesce((transaction_id IS NOT NULL), false)) ON VIOLATION DROP ROW');
    expect(target).toContain('CONSTRAINT `positive_quantity` EXPECT (coalesce((quantity > 0), false)) ON VIOLATION DROP ROW');
    expect(target).toContain('CONSTRAINT `not_absurd` EXPECT (coalesce((quantity < 1000000), false)) ON VIOLATION FAIL UPDATE');
    expect(target).toMatch(/CONSTRAINT `recent` EXPECT \(coalesce\(\(ts > TIMESTAMP '2020-01-01'\), false\)\)\n/);
    expect(target).not.toContain(' AS SELECT');
  });

  it('deduplicates with AUTO CDC ... STORED AS SCD TYPE 1 from a streaming view of typed, in-scope rows', () => {
    const view = stmts.find((s) => s.startsWith('CREATE TEMPORARY VIEW'))!;
    expect(view).toMatch(/^CREATE TEMPORARY VIEW `silver_sales__valid`/);
    expect(view).toContain('try_cast(`quantity` AS INT) AS `quantity`');
    expect(view).toContain('try_cast(`ts` AS TIMESTAMP) AS `ts`');
    expect(view).toContain('CAST((trim(transaction_id)) AS STRING) AS `transaction_id`');
    expect(view).toContain('FROM STREAM(`${catalog}`.`bronze`.`sales_raw`)');
    expect(view).toContain("WHERE size(`__cast_failures`) = 0 AND coalesce((transaction_id <> 'test'), true)");
    const flow = stmts.find((s) => s.startsWith('CREATE FLOW'))!;
    expect(flow).toBe(
      [
        'CREATE FLOW `silver_sales__dedupe`',
        'AS AUTO CDC INTO `${catalog}`.`silver`.`sales`',
        'FROM STREAM(`silver_sales__valid`)',
        'KEYS (`transaction_id`)',
        'SEQUENCE BY `ts`',
        'STORED AS SCD TYPE 1',
      ].join('\n'),
    );
    // The flow comes after the target and the view it reads.
    expect(stmts.indexOf(flow)).toBeGreaterThan(stmts.indexOf(view));
  });

  it('sends uncastable rows and broken drop rules to a quarantine streaming table with _failed_rules', () => {
    const q = stmts.find((s) => s.includes('`silver`.`sales_quarantine`'))!;
    expect(q).toMatch(/^CREATE OR REFRESH STREAMING TABLE `\$\{catalog\}`\.`silver`\.`sales_quarantine`\nCOMMENT /);
    expect(q).toContain('`__raw_1` AS `quantity`');
    expect(q).toContain("'cast:quantity'");
    expect(q).toContain("NOT coalesce((transaction_id IS NOT NULL), false) THEN 'valid_id' END");
    expect(q).toContain("THEN 'positive_quantity' END");
    expect(q).not.toContain("'not_absurd'");
    expect(q).not.toContain("'recent'");
    expect(q).toContain('AS `_failed_rules`');
    expect(q).toMatch(/WHERE NOT \(size\(`__cast_failures`\) = 0\) OR \(coalesce\(\(transaction_id <> 'test'\), true\) AND NOT \(/);
  });

  it('defines materialized views and views from their queries, verbatim', () => {
    const mv = stmts.find((s) => s.startsWith('CREATE OR REFRESH MATERIALIZED VIEW'))!;
    expect(mv).toContain('CONSTRAINT `has_day` EXPECT (coalesce((d IS NOT NULL), false))');
    expect(mv.endsWith(gold.query!)).toBe(true);
    const v = stmts.find((s) => s.startsWith('CREATE VIEW'))!;
    expect(v).toBe("CREATE VIEW `${catalog}`.`gold`.`v_daily`\nCOMMENT 'Daily view'\nAS SELECT * FROM ${catalog}.gold.daily");
  });

  it('keeps hostile names and comments inside identifiers, literals and single-line comments', () => {
    const hostile: TableModel = {
      ...bronze,
      name: 'bronze.evil`name',
      comment: "x' ; DROP TABLE y; --\nnext",
      source: { type: 'files', path: "/Volumes/${catalog}/l/r/it's\\dir", format: 'json' },
    };
    const out = renderPipelineSql({ ...pipeline, settings: { name: 'p\n; DROP TABLE z' }, tables: [hostile] });
    expect(out).toContain('`bronze`.`evil``name`');
    expect(out).toContain("COMMENT 'x\\' ; DROP TABLE y; --\\nnext'");
    expect(out).toContain("('/Volumes/${catalog}/l/r/it' || chr(39) || 's' || chr(92) || 'dir')");
    expect(out.split('\n').filter((l) => l.includes('DROP TABLE z'))).toEqual([
      '-- Lakeflow Declarative Pipeline source for p ; DROP TABLE z, generated by dbx-ts.',
    ]);
  });

  it('reports tables it cannot define', () => {
    expect(() => renderPipelineSql({ ...pipeline, tables: [{ ...gold, query: undefined }] })).toThrow(/has no query/);
    expect(() => renderPipelineSql({ ...pipeline, tables: [{ ...bronze, source: undefined }] })).toThrow(/has no source/);
  });
});
