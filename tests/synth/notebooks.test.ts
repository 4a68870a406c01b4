import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import app from '../../bundles/sales-lakehouse/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { NotebookModel, TableModel } from '../../src/model/types.ts';
import { PYTHON_HELPERS, templateProblems } from '../../src/synth/notebook-helpers-code.ts';
import { renderNotebook, tablesRuntimeSource, toNotebookFormat, type NotebookContext } from '../../src/synth/notebooks.ts';
import { tableSpec } from '../../src/synth/table-code.ts';
import { HOSTILE_STRINGS, pyCompile, runPython, tempDir } from './escape-support.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

function notebook(over: Partial<NotebookModel>): NotebookModel {
  return {
    source: 'test.py.hbs',
    path: 'src/notebooks/test.py',
    language: 'PYTHON',
    parameters: {},
    widgets: {},
    secrets: {},
    tables: [],
    ...over,
  };
}

/** Renders `template` as notebooks/test.py.hbs next to a scratch bundle file. */
function renderWith(template: string, nb: Partial<NotebookModel> = {}, ctx: Partial<NotebookContext> = {}, files: Record<string, string> = {}): string {
  const root = tempDir();
  mkdirSync(path.join(root, 'notebooks', 'lib'), { recursive: true });
  writeFileSync(path.join(root, 'notebooks', 'test.py.hbs'), template);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, 'notebooks', name), text);
  return renderNotebook(notebook({ source: 'notebooks/test.py.hbs', ...nb }), { catalog: 'main', bundleName: 'b', sourceDir: root, ...ctx });
}

/** Stubs for the names a notebook finds on Databricks, so generated cells can run under plain python3. */
/** The widget values a job task passes (the catalog and schemas have no default in a generated notebook). */
const AS_THE_JOB = ['catalog', 'schema_bronze', 'schema_gold', 'schema_landing', 'schema_silver'].map((w) => `dbutils.widgets.values["${w}"] = "main"`).join('\n');

const STUBS = `
import json, sys
class _Widgets:
    def __init__(self): self.values = {}
    def text(self, name, default): self.values.setdefault(name, default)
    def get(self, name): return self.values[name]
class _Secrets:
    def get(self, scope, key): return "secret-for-%s/%s" % (scope, key)
class _DBUtils:
    widgets = _Widgets()
    secrets = _Secrets()
dbutils = _DBUtils()
SPECS = []
class _Runtime:
    def run_table(self, spec): SPECS.append(spec)
    def report_quality(self): pass
rt = _Runtime()
`;

const hostileTable = (i: number, s: string): TableModel => ({
  name: `silver.t${i}`,
  layer: 'silver',
  kind: 'streaming_table',
  comment: s,
  source: { type: 'files', path: `/Volumes/\${catalog}/landing/raw/${s}`, format: 'json', options: { [s || 'k']: s } },
  columns: [{ name: 'c', type: 'INT', expression: `length(${JSON.stringify(s)})`, comment: s }],
  where: `c <> ${i}`,
  expectations: [
    { name: 'positive', condition: 'c > 0', action: 'drop' },
    { name: 'small', condition: 'c < 1000', action: 'fail' },
  ],
  dedupe: { keys: ['c'], sequence_by: 'c' },
  quarantine_table: `silver.t${i}_quarantine`,
});

describe('reference bundle notebooks', () => {
  const { model } = resolve(app, 'dev');
  const ctx: NotebookContext = { catalog: model.catalog, bundleName: model.bundle.name, sourceDir: path.join(REPO, 'bundles/sales-lakehouse') };

  for (const [key, nb] of Object.entries(model.notebooks)) {
    it(`${key}: Databricks source format that compiles, rendered deterministically`, () => {
      const out = renderNotebook(nb, ctx);
      expect(out.startsWith('# Databricks notebook source\n')).toBe(true);
      expect(out.endsWith('\n')).toBe(true);
      expect(out).toContain('\n\n# COMMAND ----------\n\n');
      // No template syntax left: helpers, blocks, partials or secret references.
      expect(out).not.toMatch(/\{\{\s*(py_|sql_|md\b|json\b|[#>/]|secrets\/)/);
      // The job says where data lives; a notebook run by hand names no target's catalog by default.
      expect(out).toMatch(/dbutils\.widgets\.text\("catalog", ""\)/);
      pyCompile(out, `${key}.py`);
      expect(renderNotebook(structuredClone(nb), { ...ctx })).toBe(out);
    });
  }

  it('ingests with Auto Loader, availableNow and checkpoints in the landing volume', () => {
    const out = renderNotebook(model.notebooks.ingest_batch!, ctx);
    // The runtime is imported from the bundle's workspace file, not pasted in.
    expect(out).toContain('import dbx_ts_tables');
    expect(out).not.toContain('def build_streaming');
    expect(out).toContain('quality_table="${catalog}.silver.dbx_ts_quality"');
    expect(out).toContain('"checkpoint": "/Volumes/${catalog}/landing/raw/_checkpoints/bronze/products_raw"');
    expect(out).toContain('"cloudFiles.schemaEvolutionMode": "rescue"');
    expect(out).toContain('"ignoreCorruptFiles": "true"');
    expect(out).toContain('"_metadata.file_path AS `_source_file`",');
    expect(out).toContain('MERGE INTO `${catalog}`.`silver`.`sales_batch` AS t');
    const runtime = tablesRuntimeSource();
    expect(runtime).toContain('.trigger(availableNow=True)');
    expect(runtime).toContain('self.spark.readStream.format("cloudFiles")');
    expect(runtime).toContain('reader.selectExpr("*", *spec["metadata"])');
  });

  it("reads the OpenAI key from the secret scope and embeds the bundle's metrics SQL", async () => {
    const { METRICS_SQL } = await import('../../bundles/sales-lakehouse/summary/metrics.ts');
    const out = renderNotebook(model.notebooks.gpt_summary!, ctx);
    expect(out).toContain('lambda: dbutils.secrets.get(scope="adls_scope", key="open-ai-api-key")');
    // As the job runs it: the catalog comes from the task's parameters.
    const program = `${STUBS}\n${AS_THE_JOB}\n${out.split('# COMMAND ----------').slice(1, 4).join('\n')}\nprint(json.dumps(METRICS_SQL))`;
    expect(JSON.parse(runPython(program))).toEqual(METRICS_SQL);
  });

  it('optimizes the gold tables the views read (the aggregates), then creates the views', () => {
    const out = renderNotebook(model.notebooks.optimize_gold!, ctx);
    const aggregates = ['sales_daily', 'sales_by_product', 'sales_by_store'].map((t) => `\n    "\`\${catalog}\`.\`gold\`.\`${t}\`",`).join('');
    expect(out.indexOf(`rt.optimize_tables([${aggregates}\n])`)).toBeGreaterThan(0);
    expect(out.indexOf('rt.optimize_tables([')).toBeLessThan(out.indexOf('CREATE OR REPLACE VIEW `${catalog}`.`gold`.`v_revenue_daily`'));
  });
});

describe('table code', () => {
  it('hands the runtime exactly the specs synth built, for hostile names, comments, paths and options', () => {
    const tables = HOSTILE_STRINGS.filter((s) => !/[\ud800-\udfff]/.test(s)).map((s, i) => hostileTable(i, s));
    const out = renderWith('{{py_widgets}}\n# COMMAND ----------\n{{py_tables}}', { tables, parameters: { checkpoint_root: '/Volumes/${catalog}/x/y/_cp' } });
    pyCompile(out);
    const specs = JSON.parse(runPython(`${STUBS}\n${AS_THE_JOB}\n${out}\nsys.stdout.write(json.dumps(SPECS))`)) as unknown[];
    const expected = tables.map((t) => tableSpec(t, { checkpointRoot: '/Volumes/${catalog}/x/y/_cp' }));
    expect(specs).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('gives each table its own cell and ends with the quality report', () => {
    const tables = [hostileTable(1, 'a'), hostileTable(2, 'b')];
    const out = renderWith('{{py_tables}}', { tables, parameters: { checkpoint_root: '/Volumes/c/s/v' } });
    const cells = out.split('\n# COMMAND ----------\n');
    expect(cells).toHaveLength(3);
    expect(cells[0]).toContain('# silver.t1 (streaming table)');
    expect(cells[2]!.trim()).toBe('rt.report_quality()');
  });

  it('asks for a checkpoint location when no file source gives one', () => {
    const t = { ...hostileTable(1, 'a'), source: { type: 'table' as const, table: 'bronze.x' } };
    expect(() => renderWith('{{py_tables}}', { tables: [t] })).toThrow(/checkpoint/);
  });
});

describe('template helpers', () => {
  it('places every hostile value as a Python literal that evaluates back to it', () => {
    const values = HOSTILE_STRINGS.filter((s) => !/[\ud800-\udfff]/.test(s));
    const parameters = Object.fromEntries(values.map((v, i) => [`p${i}`, v]));
    const template = `import json\nV = [\n${values.map((_, i) => `    {{py_str parameters.p${i}}},`).join('\n')}\n]\nprint(json.dumps(V))\n`;
    const out = renderWith(template, { parameters });
    expect(JSON.parse(runPython(out))).toEqual(values);
  });

  it('writes markdown text as # MAGIC lines only, whatever the text holds', () => {
    const out = renderWith('# MAGIC %md\n{{md parameters.t}}\nx = 1', { parameters: { t: 'Title\n# COMMAND ----------\nimport os\r\nos.system("x")' } });
    expect(out).toContain('# MAGIC Title\n# MAGIC # COMMAND ----------\n# MAGIC import os\n# MAGIC os.system("x")');
    expect(out.match(/# COMMAND ----------/g)).toHaveLength(1);
  });

  it('renders secrets as dbutils.secrets.get and rejects undeclared ones', () => {
    const secrets = { key: { scope: 'kv"scope', key: "api'key" } };
    expect(renderWith('k = {{py_secret "key"}}', { secrets })).toContain('k = dbutils.secrets.get(scope="kv\\"scope", key="api\'key")');
    expect(() => renderWith('k = {{py_secret "other"}}', { secrets })).toThrow(/does not declare/);
  });

  it('resolves widget defaults for the target, catalog first and without a default', () => {
    const out = renderWith('{{py_widgets}}\nprint(json.dumps([WIDGETS, CATALOG]))', {
      widgets: { seed: '42', catalog: '${var.catalog}', model: '${var.openai_model}', missing: 'x-${var.nope}' },
    }, { catalog: 'dev_cat', variables: { catalog: 'dev_cat', openai_model: 'gpt-test' } });
    expect(out.indexOf('"catalog"')).toBeLessThan(out.indexOf('"missing"'));
    expect(out).toContain('dbutils.widgets.text("catalog", "")');
    expect(() => runPython(`${STUBS}\n${out}`)).toThrow(/plain identifier/);
    const program = `${STUBS}\ndbutils.widgets.values["catalog"] = "dev_cat"\n${out}`;
    const [widgets, catalog] = JSON.parse(runPython(program)) as [Record<string, string>, string];
    expect(widgets).toEqual({ catalog: 'dev_cat', missing: 'x-', model: 'gpt-test', seed: '42' });
    expect(catalog).toBe('dev_cat');
  });

  it('refuses a catalog that is not a plain identifier before substituting it', () => {
    const out = renderWith('{{py_widgets}}');
    const program = `${STUBS}\ndbutils.widgets.values["catalog"] = "x.y; DROP"\n${out}`;
    expect(() => runPython(program)).toThrow(/plain identifier/);
  });

  it('rejects templates that place raw values or logic', () => {
    const bad = [
      'x = {{parameters.name}}',
      'x = {{{py_str parameters.name}}}',
      '{{#if parameters.name}}x{{/if}}',
      '{{> other}}',
      '{{sql_str parameters.name}}',
      'x = {{nope parameters.name}}',
      'x = {{py_str (nope parameters.name)}}',
    ];
    for (const template of bad) {
      expect(() => renderWith(template, { parameters: { name: 'v' } }), template).toThrow();
    }
    expect(renderWith('q = {{py_str (sql_table "silver.sales")}}')).toContain('q = "`${catalog}`.`silver`.`sales`"');
  });

  it('fails on values the template uses but the notebook does not have', () => {
    expect(() => renderWith('x = {{py_str parameters.missing}}')).toThrow(/got no value/);
    expect(() => renderWith('x = {{py_widget "nope"}}')).toThrow(/does not declare/);
    expect(() => renderWith('x = {{py_export "nope"}}')).toThrow(/not an escaping helper/);
  });

  it('reads sources relative to the bundle file, and refuses absolute paths', () => {
    expect(() => renderNotebook(notebook({ source: '/etc/passwd' }), { catalog: 'c', bundleName: 'b', sourceDir: REPO })).toThrow(/must be a relative path/);
    expect(() => renderNotebook(notebook({ source: 'nope/missing.py.hbs' }), { catalog: 'c', bundleName: 'b', sourceDir: REPO })).toThrow(
      /missing\.py\.hbs was not found/,
    );
  });

  it('places a file of the bundle verbatim with py_include (relative to the template), and lists and maps with py_value indent=0', () => {
    const out = renderWith('{{py_include "lib/helpers.py"}}\n# COMMAND ----------\nX = {{py_value parameters.m indent=0}}', { parameters: { m: { a: [1, 'two'] } } }, {}, {
      'lib/helpers.py': 'def helper():\n    return "{{not a template}}"\n',
    });
    expect(out).toContain('def helper():\n    return "{{not a template}}"');
    expect(out).toContain('X = {\n    "a": [\n        1,\n        "two",\n    ],\n}');
    pyCompile(out);
    expect(() => renderWith('{{py_include "lib/absent.py"}}')).toThrow(/absent\.py was not found/);
  });
});

describe('every notebook template of the repository', () => {
  const dirs = [path.join(REPO, 'bundles/sales-lakehouse/notebooks'), ...['minimal', 'lakehouse'].map((t) => path.join(REPO, 'templates/init', t, 'notebooks-src'))];
  const templates = dirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => path.join(dir, f)),
  );

  it('finds the reference templates', () => {
    const names = templates.map((t) => path.basename(t));
    for (const n of ['hello.py.hbs', 'report.py.hbs', 'ingest_batch.py.hbs', 'process_gold.py.hbs', 'optimize_gold.py.hbs', 'gpt_summary.py.hbs', 'simulate_data.py.hbs']) {
      expect(names).toContain(n);
    }
  });

  for (const file of templates) {
    it(`${path.relative(REPO, file)} uses only escaping helpers`, () => {
      const source = readFileSync(file, 'utf8');
      // An independent scan: every mustache that is not a comment must open with an allowed helper.
      const mustaches = [...source.matchAll(/\{\{(?!!)(\{?)([^}]*)\}\}/g)];
      for (const [whole, triple, inner] of mustaches) {
        expect(triple, whole).toBe('');
        const helper = inner!.trim().split(/\s+/)[0]!;
        expect(PYTHON_HELPERS as readonly string[], whole).toContain(helper);
      }
      expect(templateProblems(source, 'PYTHON')).toEqual([]);
    });
  }
});

describe('toNotebookFormat', () => {
  it('puts the header first once and trims blank lines around cells', () => {
    const body = '# Databricks notebook source\n\n\na = 1\n\n# COMMAND ----------\n\n\n\n# COMMAND ----------\n  b = 2\n\n';
    expect(toNotebookFormat(body, 'PYTHON')).toBe('# Databricks notebook source\na = 1\n\n# COMMAND ----------\n\n  b = 2\n');
    expect(toNotebookFormat('SELECT 1;\n-- COMMAND ----------\nSELECT 2;', 'SQL')).toBe(
      '-- Databricks notebook source\nSELECT 1;\n\n-- COMMAND ----------\n\nSELECT 2;\n',
    );
  });
});
