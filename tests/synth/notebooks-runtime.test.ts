// The notebook table runtime (notebooks-src/lib/tables_runtime.py) under python3, with Spark and dbutils
// replaced by small recording fakes: metrics, fail rules, catalog substitution and ZORDER choice.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TableModel } from '../../src/model/types.ts';
import { pyValue } from '../../src/synth/escape.ts';
import { tableSpec } from '../../src/synth/table-code.ts';
import { runPython, tempDir } from './escape-support.ts';

const RUNTIME = path.resolve(import.meta.dirname, '../../notebooks-src/lib/tables_runtime.py');

/** A directory with a fake `pyspark.sql.functions`, enough for the runtime to import. */
function fakePyspark(): string {
  const root = tempDir();
  mkdirSync(path.join(root, 'pyspark', 'sql'), { recursive: true });
  writeFileSync(path.join(root, 'pyspark', '__init__.py'), '');
  writeFileSync(path.join(root, 'pyspark', 'sql', '__init__.py'), '');
  writeFileSync(path.join(root, 'pyspark', 'sql', 'functions.py'), 'def col(n): return n\ndef current_timestamp(): return "now"\ndef expr(e): return e\n');
  return root;
}

const HARNESS = (body: string) => `
import json, sys
sys.path.insert(0, ${JSON.stringify(fakePyspark())})
class Exit(Exception): pass
class _Notebook:
    def exit(self, value): raise Exit(value)
class _DBUtils:
    notebook = _Notebook()
dbutils = _DBUtils()
SQL = []
class _Spark:
    def sql(self, text, **kwargs): SQL.append(text)
spark = _Spark()
CATALOG = "cat_1"
WIDGETS = {"catalog": CATALOG, "run_date": "2024-05-01"}
exec(open(${JSON.stringify(RUNTIME)}, encoding="utf-8").read())

class Row(dict):
    def asDict(self): return dict(self)

class Checked:
    """Answers the runtime's aggregate with the given counts and records every expression it receives."""
    def __init__(self, counts, sample=()):
        self.counts, self.sample, self.seen = counts, list(sample), []
    def selectExpr(self, *exprs):
        self.seen.extend(exprs)
        return self
    def where(self, cond):
        self.seen.append(cond)
        return self
    def limit(self, n): return self
    def collect(self): return [Row(r) for r in self.sample]
    def first(self): return Row(self.counts)

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

describe('tables_runtime.py', () => {
  it('sums each rule over micro-batches and reports them as the notebook result', () => {
    const out = runPython(
      HARNESS(`
spec = ${spec}
# Metric order: cast:qty, positive, sane, typical; e = evaluated, f = failed.
measure(spec, Checked({"__e0": 10, "__f0": 1, "__e1": 9, "__f1": 2, "__e2": 9, "__f2": 0, "__e3": 9, "__f3": 4}))
measure(spec, Checked({"__e0": 5, "__f0": 0, "__e1": 5, "__f1": 1, "__e2": 5, "__f2": 0, "__e3": 5, "__f3": None}))
try:
    report_quality()
except Exit as e:
    sys.stdout.write(str(e))
`),
    );
    const lines = out.trim().split('\n');
    expect(lines).toContain('silver.sales positive [drop]: 11 passed, 3 failed');
    const metrics = (JSON.parse(lines.at(-1)!) as { dbx_ts: { quality_metrics: Record<string, unknown>[] } }).dbx_ts.quality_metrics;
    expect(metrics).toEqual([
      { dataset: 'silver.sales', expectation: 'cast:qty', action: 'drop', passed_records: 14, failed_records: 1, dropped_records: 1 },
      { dataset: 'silver.sales', expectation: 'positive', action: 'drop', passed_records: 11, failed_records: 3, dropped_records: 3 },
      { dataset: 'silver.sales', expectation: 'sane', action: 'fail', passed_records: 14, failed_records: 0, dropped_records: 0 },
      { dataset: 'silver.sales', expectation: 'typical', action: 'warn', passed_records: 10, failed_records: 4, dropped_records: 0 },
    ]);
  });

  it('stops on a broken fail rule with a sample of the offending rows', () => {
    const out = runPython(
      HARNESS(`
spec = ${spec}
checked = Checked({"__e0": 3, "__f0": 0, "__e1": 3, "__f1": 0, "__e2": 3, "__f2": 2, "__e3": 3, "__f3": 0}, sample=[{"qty": 500}, {"qty": 900}])
try:
    measure(spec, checked)
    sys.stdout.write("no error")
except ExpectationFailed as e:
    sys.stdout.write(str(e))
`),
    );
    expect(out).toBe('Expectation sane on silver.sales failed for 2 row(s); sample: [{"qty": 500}, {"qty": 900}]');
  });

  it("substitutes the catalog, and the notebook's other widgets (job parameters), into every SQL text it runs", () => {
    const out = runPython(
      HARNESS(`
spec = {"name": "gold.v", "kind": "view", "create": "CREATE OR REPLACE VIEW \`\${catalog}\`.\`gold\`.\`v\` AS SELECT * FROM \${catalog}.gold.t WHERE d = '\${run_date}' AND x = '\${unknown}'"}
run_table(spec)
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
r = read_source({"source": {"type": "files", "format": "json", "path": "/Volumes/\${catalog}/landing/x", "options": {"schema": "a INT, b STRING", "header": "true"}}, "checkpoint": "/cp"})
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

  it('refuses a table of an unknown kind instead of building it as another kind', () => {
    const out = runPython(
      HARNESS(`
try:
    run_table({"name": "gold.daily", "kind": "materialised_view", "query": "SELECT 1", "create": "CREATE TABLE x AS SELECT 1"})
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
