// The notebook table runtime (notebooks-src/lib/tables_runtime.py, deployed as the module dbx_ts_tables) under
// python3, imported as the notebooks import it, with Spark and dbutils replaced by small recording fakes: quality
// counted per micro-batch into the quality table and summed back, fail rules, a foreachBatch function that needs
// nothing outside it (serverless runs it in another process), catalog substitution, bad files, ZORDER choice.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TableModel } from '../../src/model/types.ts';
import { pyValue } from '../../src/synth/escape.ts';
import { tablesRuntimeSource } from '../../src/synth/notebooks.ts';
import { tableSpec } from '../../src/synth/table-code.ts';
import { runPython, tempDir } from './escape-support.ts';

/** A folder with the runtime as the module the notebooks import, and a fake `pyspark.sql.functions`. */
function modules(): string {
  const root = tempDir();
  mkdirSync(path.join(root, 'pyspark', 'sql'), { recursive: true });
  writeFileSync(path.join(root, 'pyspark', '__init__.py'), '');
  writeFileSync(path.join(root, 'pyspark', 'sql', '__init__.py'), '');
  writeFileSync(
    path.join(root, 'pyspark', 'sql', 'functions.py'),
    [
      'class Col:',
      '    def __init__(self, name): self.name = name',
      '    def __eq__(self, other): return ("eq", self.name, other)',
      '    def alias(self, a): return ("alias", self.name, a)',
      'def col(n): return Col(n)',
      'def lit(v): return v',
      'def sum(n): return Col(n)',
      'def expr(e): return e',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(root, 'dbx_ts_tables.py'), tablesRuntimeSource());
  return root;
}

const HARNESS = (body: string) => `
import json, sys
sys.path.insert(0, ${JSON.stringify(modules())})
import dbx_ts_tables
from dbx_ts_tables import Runtime, batch_writer, zorder_columns, quote_ident, ExpectationFailed

class Exit(Exception): pass
class _Notebook:
    def exit(self, value): raise Exit(value)
class _DBUtils:
    notebook = _Notebook()
dbutils = _DBUtils()

class Row(dict):
    def __getitem__(self, k): return dict.get(self, k)
    def asDict(self): return dict(self)

TABLES = {}
SQL = []

class Written:
    def __init__(self, rows): self.rows = rows
    @property
    def write(self): return self
    def mode(self, m): return self
    def saveAsTable(self, name): TABLES.setdefault(name, []).extend(self.rows)

class Quality:
    """spark.table(quality table): where(run_id == x).groupBy(...).agg(...).orderBy(...).collect(), done in Python."""
    def __init__(self, rows): self.rows = rows
    def where(self, cond): return Quality([r for r in self.rows if r[cond[1]] == cond[2]])
    def groupBy(self, *keys): self.keys = keys; return self
    def agg(self, *sums):
        out = {}
        for r in self.rows:
            k = tuple(r[x] for x in self.keys)
            acc = out.setdefault(k, dict(zip(self.keys, k), passed_records=0, failed_records=0, dropped_records=0))
            for s in ("passed_records", "failed_records", "dropped_records"): acc[s] += r[s]
        return Quality(list(out.values()))
    def orderBy(self, *keys): return Quality(sorted(self.rows, key=lambda r: tuple(r[k] for k in keys)))
    def collect(self): return [Row(r) for r in self.rows]

COLUMNS = ["run_id", "dataset", "expectation", "action", "batch_id", "passed_records", "failed_records", "dropped_records", "recorded_at"]

class Session:
    def sql(self, text, **kwargs): SQL.append(text); return Written([])
    def createDataFrame(self, rows, schema):
        assert schema.split(", ")[0] == "run_id STRING", schema
        return Written([dict(zip(COLUMNS, r)) for r in rows])
    def table(self, name): return Quality(TABLES.get(name, []))
spark = Session()

class Checked:
    """One micro-batch's checked rows: answers the aggregation with the given counts, records what it is asked."""
    def __init__(self, counts, sample=()):
        self.counts, self.sample, self.seen = counts, list(sample), []
    def selectExpr(self, *exprs): self.seen.extend(exprs); return self
    def where(self, cond): self.seen.append(cond); return self
    def limit(self, n): return self
    def collect(self): return [Row(r) for r in self.sample]
    def first(self): return Row(self.counts)
    @property
    def write(self): return Written([])

class Batch:
    def __init__(self, checked): self.checked, self.sparkSession = checked, spark
    def selectExpr(self, *exprs): return self.checked

WIDGETS = {"catalog": "cat_1", "run_date": "2024-05-01"}
rt = Runtime(spark, dbutils, WIDGETS, quality_table="\${catalog}.silver.dbx_ts_quality", quality_columns=", ".join(c + " STRING" for c in COLUMNS), run_id="run-1")

${body}
`;

const table: TableModel = {
  name: 'silver.sales',
  layer: 'silver',
  kind: 'streaming_table',
  source: { type: 'table', table: 'bronze.sales_raw' },
  columns: [{ name: 'qty', type: 'INT' }],
  expectations: [
    { name: 'positive', condition: 'qty > 0', action: 'drop' },
    { name: 'sane', condition: 'qty < 100', action: 'fail' },
    { name: 'typical', condition: 'qty < 10', action: 'warn' },
  ],
};
const spec = pyValue(tableSpec(table, { checkpointRoot: '/Volumes/${catalog}/l/r/_cp' }));
/** The spec as the runtime hands it to foreachBatch: substituted, with the quality table's columns. */
const prepared = `dict(rt.q(${spec}), quality_columns=rt.quality_columns)`;

describe('tables_runtime.py (the dbx_ts_tables module)', () => {
  it('counts each micro-batch with one aggregation into the quality table, and reports the sums of this run', () => {
    const out = runPython(
      HARNESS(`
rt._quality_ready = True
write = batch_writer(${prepared}, rt.quality_table, rt.run_id)
# Metric order: cast:qty, positive, sane, typical; e = evaluated, f = failed.
write(Batch(Checked({"__e0": 10, "__f0": 1, "__e1": 9, "__f1": 2, "__e2": 9, "__f2": 0, "__e3": 9, "__f3": 4})), 0)
write(Batch(Checked({"__e0": 5, "__f0": 0, "__e1": 5, "__f1": 1, "__e2": 5, "__f2": 0, "__e3": 5, "__f3": None})), 1)
TABLES["cat_1.silver.dbx_ts_quality"].append(dict(run_id="older-run", dataset="silver.sales", expectation="positive", action="drop", batch_id=0, passed_records=99, failed_records=99, dropped_records=99))
sys.stdout.write(json.dumps([[r["batch_id"], r["expectation"], r["run_id"]] for r in TABLES["cat_1.silver.dbx_ts_quality"]]) + "\\n")
try:
    rt.report_quality()
except Exit as e:
    sys.stdout.write(str(e))
`),
    );
    const lines = out.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toEqual([
      [0, 'cast:qty', 'run-1'],
      [0, 'positive', 'run-1'],
      [0, 'sane', 'run-1'],
      [0, 'typical', 'run-1'],
      [1, 'cast:qty', 'run-1'],
      [1, 'positive', 'run-1'],
      [1, 'sane', 'run-1'],
      [1, 'typical', 'run-1'],
      [0, 'positive', 'older-run'],
    ]);
    expect(lines).toContain('silver.sales positive [drop]: 11 passed, 3 failed');
    const report = (JSON.parse(lines.at(-1)!) as { dbx_ts: { quality_metrics: Record<string, unknown>[]; quality_table: string; run_id: string } }).dbx_ts;
    expect(report.quality_table).toBe('cat_1.silver.dbx_ts_quality');
    expect(report.quality_metrics).toEqual([
      { dataset: 'silver.sales', expectation: 'cast:qty', action: 'drop', passed_records: 14, failed_records: 1, dropped_records: 1 },
      { dataset: 'silver.sales', expectation: 'positive', action: 'drop', passed_records: 11, failed_records: 3, dropped_records: 3 },
      { dataset: 'silver.sales', expectation: 'sane', action: 'fail', passed_records: 14, failed_records: 0, dropped_records: 0 },
      { dataset: 'silver.sales', expectation: 'typical', action: 'warn', passed_records: 10, failed_records: 4, dropped_records: 0 },
    ]);
  });

  it('hands foreachBatch a function that reads nothing defined outside it (serverless runs it in another process)', () => {
    const out = runPython(
      HARNESS(`
import inspect, types
def outside_names(fn, seen=()):
    """Globals a function (and the functions in its closure) would need from its module."""
    cv = inspect.getclosurevars(fn)
    names = sorted(cv.globals)
    for value in cv.nonlocals.values():
        if isinstance(value, types.FunctionType) and value not in seen:
            names += outside_names(value, seen + (fn,))
        else:
            assert isinstance(value, (str, int, dict, list, type(None))), type(value)
    return names
write = batch_writer(${prepared}, rt.quality_table, rt.run_id)
names = outside_names(write)
# And it still works with the module gone, as in a process that never imported it.
dbx_ts_tables.__dict__.clear()
write(Batch(Checked({"__e0": 1, "__f0": 0, "__e1": 1, "__f1": 0, "__e2": 1, "__f2": 0, "__e3": 1, "__f3": 0})), 7)
sys.stdout.write(json.dumps([names, len(TABLES["cat_1.silver.dbx_ts_quality"])]))
`),
    );
    expect(JSON.parse(out)).toEqual([[], 4]);
  });

  it('records a broken fail rule, then stops with a sample of the offending rows', () => {
    const out = runPython(
      HARNESS(`
write = batch_writer(${prepared}, rt.quality_table, rt.run_id)
checked = Checked({"__e0": 3, "__f0": 0, "__e1": 3, "__f1": 0, "__e2": 3, "__f2": 2, "__e3": 3, "__f3": 0}, sample=[{"qty": 500}, {"qty": 900}])
try:
    write(Batch(checked), 0)
    sys.stdout.write("no error")
except RuntimeError as e:
    sys.stdout.write(str(e) + "\\n" + str(len(TABLES["cat_1.silver.dbx_ts_quality"])))
`),
    );
    expect(out.split('\n')).toEqual(['Expectation sane on silver.sales failed for 2 row(s); sample: [{"qty": 500}, {"qty": 900}]', '4']);
  });

  it("substitutes the catalog, and the notebook's other widgets (job parameters), into every SQL text it runs", () => {
    const out = runPython(
      HARNESS(`
spec = {"name": "gold.v", "kind": "view", "create": "CREATE OR REPLACE VIEW \`\${catalog}\`.\`gold\`.\`v\` AS SELECT * FROM \${catalog}.gold.t WHERE d = '\${run_date}' AND x = '\${unknown}'"}
rt.run_table(spec)
sys.stdout.write(json.dumps(SQL))
`),
    );
    expect(out.split('\n')[0]).toBe('Building gold.v (view)');
    expect(JSON.parse(out.split('\n').at(-1)!)).toEqual([
      "CREATE OR REPLACE VIEW `cat_1`.`gold`.`v` AS SELECT * FROM cat_1.gold.t WHERE d = '2024-05-01' AND x = '${unknown}'",
    ]);
  });

  it('gives Auto Loader a declared file schema with .schema() (no inference), other options with .option()', () => {
    const out = runPython(
      HARNESS(`
class Reader:
    def __init__(self): self.calls = []
    def format(self, f): self.calls.append(["format", f]); return self
    def option(self, k, v): self.calls.append(["option", k, v]); return self
    def schema(self, s): self.calls.append(["schema", s]); return self
    def load(self, p): self.calls.append(["load", p]); return self
spark.readStream = Reader()
r = rt.read_source(rt.q({"source": {"type": "files", "format": "json", "path": "/Volumes/\${catalog}/landing/x", "options": {"schema": "a INT, b STRING", "header": "true"}}, "checkpoint": "/cp"}))
sys.stdout.write(json.dumps(r.calls))
`),
    );
    expect(JSON.parse(out)).toEqual([
      ['format', 'cloudFiles'],
      ['option', 'cloudFiles.format', 'json'],
      ['option', 'cloudFiles.schemaLocation', '/cp/_schema'],
      ['schema', 'a INT, b STRING'],
      ['option', 'header', 'true'],
      ['load', '/Volumes/cat_1/landing/x'],
    ]);
  });

  it('reports files Auto Loader skipped as corrupt as bad files, not a failed task', () => {
    const out = runPython(
      HARNESS(`
class History:
    def __init__(self, rows): self.rows = rows
    def where(self, cond): v = int(cond.split(">")[1]); return History([r for r in self.rows if r["version"] > v])
    def select(self, *c): return self
    def collect(self): return [Row(r) for r in self.rows]
spark.sql = lambda text, **k: History([{"version": 3, "operationMetrics": {"numSkippedCorruptFiles": "5"}}, {"version": 4, "operationMetrics": {"numSkippedCorruptFiles": "1"}}, {"version": 5, "operationMetrics": None}])
rt._count_bad_files({"name": "bronze.sales_raw", "target": "t", "source": {"path": "/Volumes/cat_1/landing/raw/sales"}}, 3)
try:
    rt.report_quality()
except Exit as e:
    sys.stdout.write(str(e))
`),
    );
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('WARNING: bronze.sales_raw: skipped 1 corrupt or unreadable file(s) in /Volumes/cat_1/landing/raw/sales');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ dbx_ts: { bad_files: [{ dataset: 'bronze.sales_raw', files: 1 }], quality_metrics: [] } });
  });

  it('refuses a table of an unknown kind instead of building it as another kind', () => {
    const out = runPython(
      HARNESS(`
try:
    rt.run_table({"name": "gold.daily", "kind": "materialised_view", "query": "SELECT 1", "create": "CREATE TABLE x AS SELECT 1"})
    sys.stdout.write("built")
except ValueError as e:
    sys.stdout.write(str(e) + " / " + json.dumps(SQL))
`),
    );
    expect(out.split('\n').at(-1)).toBe(
      "Table gold.daily has kind 'materialised_view', which is not a kind of table (streaming_table, materialized_view, view) / []",
    );
  });

  it('picks ZORDER columns: dates and times first, then ids other than the first column', () => {
    const out = runPython(
      HARNESS(`
class T:
    def __init__(self, n): self.n = n
    def typeName(self): return self.n
class F:
    def __init__(self, name, t): self.name, self.dataType = name, T(t)
fields = [F("transaction_id", "string"), F("transaction_ts", "timestamp"), F("product_id", "string"),
          F("store_id", "string"), F("promotion_id", "string"), F("qty", "integer")]
sys.stdout.write(json.dumps([zorder_columns(fields), zorder_columns([F("a", "integer")]), quote_ident("we\`ird")]))
`),
    );
    expect(JSON.parse(out)).toEqual([['transaction_ts', 'product_id', 'store_id'], [], '`we``ird`']);
  });
});
