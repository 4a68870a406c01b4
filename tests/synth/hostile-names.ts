// The hostile-names property test (issue 11), run by the hostile-names-*.test.ts files: every value of a corpus of hostile names and texts goes into every
// slot where the bundle places a name or a text. For each, either validate refuses it with a diagnostic that
// names the file and line, or the build succeeds and every generated file parses back to the same thing as
// with a plain value in that slot, with the hostile value in its place:
//   - YAML (read as YAML 1.2 and as YAML 1.1) and the dashboard JSON: the same data;
//   - Python notebooks: python3's AST has the same shape, each string constant holds the value, and the cells
//     and magic lines are the same;
//   - SQL: the same tokens outside literals; each literal and quoted identifier decodes to the value, and each
//     expression synth builds from `chr()` splices evaluates in DuckDB to the same string;
//   - paths: the same files, each path segment a real name.
// No crash (anything but a diagnostic or a UserError) is allowed anywhere.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Bundle, Dashboard, Job, Notebook, Pipeline, resolve, SecretScope } from '../../src/index.ts';
import { UserError } from '../../src/errors/index.ts';
import { synthBundle, type SynthFile } from '../../src/synth/index.ts';
import { tokenize, type SqlToken } from '../../src/validate/sql-tokenize.ts';
import { pathSegmentProblem } from '../../src/validate/names.ts';
import { validateResolved } from '../../src/validate/index.ts';
import { HOSTILE_STRINGS, tempDir } from './escape-support.ts';

const REPO = join(import.meta.dirname, '..', '..');
/** A value every slot accepts; the hostile value takes its place in the outputs. */
const MARK = 'zqmark7';

const CORPUS: string[] = [
  ...HOSTILE_STRINGS,
  '${var.catalog}',
  '${spark.secret}',
  'x ${bundle.target} y',
  '$${escaped}',
  // What YAML 1.1 reads as booleans, null, octal and other numbers, and timestamps.
  ...['yes', 'off', 'y', 'NO', 'null', '~', '0777', '1_000', '1:30', '2024-05-01'],
  '.',
  '..',
  'a/b',
  '../escape',
  'a\\b',
  ' padded ',
  '-starts-with-dash',
  '1starts_with_digit',
  'x'.repeat(300),
  'é'.repeat(200),
  'j'.repeat(5000),
  '\u0085next line',
  'zero\u200bwidth',
];

/** Every slot: where the value goes in the definition. */
type Slot = (v: string) => Partial<Values>;

interface Values {
  bundleName: string;
  target: string;
  variableDefault: string;
  jobKey: string;
  jobName: string;
  jobDescription: string;
  taskKey: string;
  parameterName: string;
  parameterDefault: string;
  tagValue: string;
  notebookId: string;
  widgetName: string;
  widgetValue: string;
  title: string;
  label: string;
  pipelineKey: string;
  pipelineName: string;
  tableComment: string;
  columnComment: string;
  expectationName: string;
  optionValue: string;
  dashboardName: string;
  datasetTitle: string;
  widgetTitle: string;
  scopeName: string;
}

export const SLOTS: Record<string, Slot> = {
  'bundle name': (v) => ({ bundleName: v }),
  'target name': (v) => ({ target: v }),
  'variable default': (v) => ({ variableDefault: v }),
  'job key': (v) => ({ jobKey: v }),
  'job name': (v) => ({ jobName: v }),
  'job description': (v) => ({ jobDescription: v }),
  'task key': (v) => ({ taskKey: v }),
  'job parameter name': (v) => ({ parameterName: v }),
  'job parameter default': (v) => ({ parameterDefault: v }),
  'job tag value': (v) => ({ tagValue: v }),
  'notebook id': (v) => ({ notebookId: v }),
  'widget name': (v) => ({ widgetName: v }),
  'widget value': (v) => ({ widgetValue: v }),
  'markdown text': (v) => ({ title: v }),
  'template value': (v) => ({ label: v }),
  'pipeline key': (v) => ({ pipelineKey: v }),
  'pipeline name': (v) => ({ pipelineName: v }),
  'table comment': (v) => ({ tableComment: v }),
  'column comment': (v) => ({ columnComment: v }),
  'expectation name': (v) => ({ expectationName: v }),
  'Auto Loader option value': (v) => ({ optionValue: v }),
  'dashboard name': (v) => ({ dashboardName: v }),
  'dataset title': (v) => ({ datasetTitle: v }),
  'widget title': (v) => ({ widgetTitle: v }),
  'secret scope name': (v) => ({ scopeName: v }),
};

/** Plain values, one of its own per slot (ids must differ); the slot under test holds MARK, then the hostile value. */
function plain(): Values {
  const keys = [
    'bundleName', 'target', 'variableDefault', 'jobKey', 'jobName', 'jobDescription', 'taskKey', 'parameterName', 'parameterDefault', 'tagValue',
    'notebookId', 'widgetName', 'widgetValue', 'title', 'label', 'pipelineKey', 'pipelineName', 'tableComment', 'columnComment',
    'expectationName', 'optionValue', 'dashboardName', 'datasetTitle', 'widgetTitle', 'scopeName',
  ];
  return Object.fromEntries(keys.map((k, i) => [k, `plain${String.fromCharCode(97 + i)}`])) as unknown as Values;
}

/** The bundle with one value in each slot. */
function define(v: Values): Bundle {
  const app = new Bundle({
    name: v.bundleName,
    variables: { catalog: { default: 'cat' }, label: { default: v.variableDefault } },
    targets: { [v.target]: { default: true, mode: 'production' } },
  });
  const scope = new SecretScope(app, 'scope', { name: v.scopeName });
  const table = {
    name: 'silver.events',
    layer: 'silver' as const,
    kind: 'streaming_table' as const,
    comment: v.tableComment,
    source: { type: 'files' as const, path: '/Volumes/${catalog}/landing/raw/events', format: 'csv' as const, options: { header: v.optionValue } },
    columns: [{ name: 'id', type: 'STRING' as const, comment: v.columnComment }],
    expectations: [{ name: v.expectationName, condition: 'id IS NOT NULL', action: 'drop' as const }],
  };
  const pipeline = new Pipeline(app, v.pipelineKey, { name: v.pipelineName, catalog: app.var('catalog'), schema: 'silver', serverless: true, tables: [table] });
  const nb = new Notebook(app, v.notebookId, {
    source: '../fixtures/hostile/nb.py.hbs',
    parameters: { title: v.title, label: v.label },
    widgets: { [v.widgetName]: v.widgetValue },
    secrets: { key: scope.secret('api-key') },
    tables: [{ ...table, name: 'gold.events' }],
  });
  const dashboard = new Dashboard(app, 'dash', {
    display_name: v.dashboardName,
    warehouse_id: 'wh',
    datasets: [{ name: 'ds', display_name: v.datasetTitle, query: 'SELECT 1 AS n' }],
    widgets: [{ name: 'w', title: v.widgetTitle, kind: 'counter', dataset: 'ds', y: 'n', position: { x: 0, y: 0, width: 2, height: 2 } }],
  });
  const job = new Job(app, v.jobKey, {
    name: v.jobName,
    description: v.jobDescription,
    parameters: [{ name: v.parameterName, default: v.parameterDefault }],
    tags: { team: v.tagValue },
  });
  const first = job.pipelineTask('refresh', { pipeline });
  job.notebookTask(v.taskKey, { notebook: nb, depends_on: [first] });
  job.dashboardTask('show', { dashboard, depends_on: [first] });
  return app;
}

type Outcome = { kind: 'refused'; messages: string[] } | { kind: 'built'; files: SynthFile[] } | { kind: 'crashed'; error: string };

function build(values: Values): Outcome {
  let app: Bundle;
  try {
    app = define(values);
  } catch (error) {
    // A definition refused where it is written: a UserError naming the file and line.
    if (error instanceof UserError && /hostile-names\.ts:\d+/.test(error.message)) return { kind: 'refused', messages: [error.message] };
    return { kind: 'crashed', error: `define: ${String((error as Error)?.stack ?? error)}` };
  }
  try {
    const resolved = resolve(app, values.target);
    const errors = validateResolved(resolved, { repoRoot: REPO }).filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      const unplaced = errors.filter((d) => !d.location?.file || !d.location.line);
      if (unplaced.length > 0) return { kind: 'crashed', error: `diagnostic without file:line: ${unplaced.map((d) => d.message).join('; ')}` };
      return { kind: 'refused', messages: errors.map((d) => d.message) };
    }
    return { kind: 'built', files: synthBundle(resolved.model, { repoRoot: REPO }) };
  } catch (error) {
    if (error instanceof UserError) return { kind: 'refused', messages: [error.message] };
    return { kind: 'crashed', error: String((error as Error)?.stack ?? error) };
  }
}

/** `value` with every MARK (in strings and keys) replaced by the hostile value. */
function replaced(value: unknown, hostile: string): unknown {
  if (typeof value === 'string') return value.replaceAll(MARK, () => hostile);
  if (Array.isArray(value)) return value.map((v) => replaced(v, hostile));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll(MARK, () => hostile), replaced(v, hostile)]));
  }
  return value;
}

// ---- SQL: tokens outside literals must match; literals decode to the value. ----

/** Folds `('a' || chr(39) || 'b')`, synth's splice of a quote or backslash, into one string token. */
function foldSplices(tokens: SqlToken[]): { kind: string; text: string; splice?: { source: string; value: string } }[] {
  const out: { kind: string; text: string; splice?: { source: string; value: string } }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(') {
      let j = i + 1;
      let value = '';
      let parts = 0;
      for (;;) {
        const a = tokens[j];
        if (a?.kind === 'string' && !a.prefix) {
          value += a.text.slice(1, -1);
          j += 1;
        } else if (a?.kind === 'word' && a.text === 'chr' && tokens[j + 1]?.text === '(' && tokens[j + 2]?.kind === 'number' && tokens[j + 3]?.text === ')') {
          value += String.fromCodePoint(Number(tokens[j + 2]!.text));
          j += 4;
        } else break;
        parts += 1;
        if (tokens[j]?.text === '||') j += 1;
        else break;
      }
      if (parts >= 2 && tokens[j]?.text === ')') {
        const source = tokens.slice(i, j + 1).map((x) => x.text).join(' ');
        out.push({ kind: 'string', text: '', splice: { source, value } });
        i = j;
        continue;
      }
    }
    out.push({ kind: t.kind, text: t.text });
  }
  return out;
}

/** A Databricks string literal's value (backslash escapes), or a quoted identifier's name. */
function decode(token: { kind: string; text: string; splice?: { value: string } }): string {
  if (token.splice) return token.splice.value;
  const body = token.text.slice(1, -1);
  if (token.kind === 'backtick') return body.replaceAll('``', '`');
  if (token.kind === 'dquote') return body.replaceAll('""', '"');
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0' };
  return body.replace(/\\(.)/gsu, (_m, ch: string) => escapes[ch] ?? ch);
}

const QUOTED = new Set(['string', 'backtick', 'dquote']);

function sqlDifferences(hostileSql: string, plainSql: string, hostile: string, splices: { source: string; value: string }[]): string[] {
  const h = foldSplices(tokenize(hostileSql).tokens);
  const p = foldSplices(tokenize(plainSql).tokens);
  if (h.length !== p.length) return [`${h.length} tokens instead of ${p.length}`];
  const problems: string[] = [];
  h.forEach((t, i) => {
    const q = p[i]!;
    if (QUOTED.has(q.kind)) {
      if (t.kind !== q.kind) problems.push(`token ${i} is ${t.kind}, not ${q.kind}`);
      else if (decode(t) !== decode(q).replaceAll(MARK, () => hostile)) problems.push(`literal ${i} reads ${JSON.stringify(decode(t))}`);
      if (t.splice) splices.push(t.splice);
    } else if (t.kind !== q.kind || t.text !== q.text.replaceAll(MARK, () => hostile)) {
      problems.push(`token ${i} is ${t.kind} ${JSON.stringify(t.text)}, not ${JSON.stringify(q.text)}`);
    }
  });
  // Databricks substitutes ${...} in pipeline SQL before parsing: no new one may appear.
  const count = (s: string) => s.split('${').length;
  if (count(hostileSql) !== count(plainSql)) problems.push('a new "${" appears');
  return problems;
}

// ---- Python: checked by python3 in one batch. ----

const PY_CHECK = String.raw`
import ast, json, sys
MARK = sys.argv[2]
out = []
for case in json.load(open(sys.argv[1], encoding='utf-8')):
    def problem(text):
        out.append({'id': case['id'], 'problem': text})
    try:
        h = ast.parse(case['hostile'])
        p = ast.parse(case['plain'])
    except SyntaxError as e:
        problem('does not compile: %s' % e)
        continue
    def constants(tree):
        return [n for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    hc, pc = constants(h), constants(p)
    for n in hc + pc:
        n.value = None
    if ast.dump(h) != ast.dump(p):
        problem('the code has another shape')
        continue
    h2, p2 = ast.parse(case['hostile']), ast.parse(case['plain'])
    for a, b in zip(constants(h2), constants(p2)):
        if isinstance(b.value, str) and MARK in b.value and a.value != b.value.replace(MARK, case['value']):
            # Not the value itself: maybe SQL holding it as a literal (spark.sql); the caller checks that.
            out.append({'id': case['id'], 'sql': [a.value, b.value], 'value': case['value']})
    def lines(src, prefix):
        return sum(1 for l in src.split('\n') if l == prefix or l.startswith(prefix + ' '))
    for prefix in ('# COMMAND ----------', '# Databricks notebook source'):
        if lines(case['hostile'], prefix) != lines(case['plain'], prefix):
            problem('lines %r differ: a cell boundary moved' % prefix)
    if lines(case['hostile'], '# MAGIC') < lines(case['plain'], '# MAGIC'):
        problem('fewer # MAGIC lines: text escaped a markdown cell')
print(json.dumps(out))
`;

interface PyCase {
  id: string;
  hostile: string;
  plain: string;
  value: string;
}

function checkPython(cases: PyCase[]): string[] {
  const dir = tempDir();
  const input = join(dir, 'cases.json');
  const script = join(dir, 'check.py');
  writeFileSync(input, JSON.stringify(cases), 'utf8');
  writeFileSync(script, PY_CHECK, 'utf8');
  const found = JSON.parse(execFileSync('python3', [script, input, MARK], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as (
    | { id: string; problem: string }
    | { id: string; sql: [string, string]; value: string }
  )[];
  // A string constant that is SQL (spark.sql) holds the value as a SQL literal: check it as SQL.
  return found.flatMap((f) => ('problem' in f ? [`${f.id}: ${f.problem}`] : sqlDifferences(f.sql[0], f.sql[1], f.value, []).map((p) => `${f.id}: SQL in Python: ${p}`)));
}

/** The slots in two groups, one test file each, so they run side by side. */
export const SLOT_GROUPS = {
  config: ['bundle name', 'target name', 'variable default', 'job key', 'job name', 'job description', 'task key', 'job parameter name', 'job parameter default', 'job tag value', 'secret scope name'],
  code: ['notebook id', 'widget name', 'widget value', 'markdown text', 'template value', 'pipeline key', 'pipeline name', 'table comment', 'column comment', 'expectation name', 'Auto Loader option value', 'dashboard name', 'dataset title', 'widget title'],
};

/** The property test over one group of slots. */
export function hostileNamesSuite(title: string, group: keyof typeof SLOT_GROUPS): void {
  const slots = SLOT_GROUPS[group];
  it('covers every slot in some group', () => {
    expect(Object.values(SLOT_GROUPS).flat().sort()).toEqual(Object.keys(SLOTS).sort());
  });
describe(`hostile names in every slot: ${title}`, () => {
  const crashes: string[] = [];
  const injections: string[] = [];
  const pyCases: PyCase[] = [];
  const splices: { source: string; value: string; id: string }[] = [];
  const tally = { refused: 0, built: 0 };

  beforeAll(() => {
    const byPath = (files: SynthFile[]) => new Map(files.map((f) => [f.path, typeof f.content === 'string' ? f.content : Buffer.from(f.content).toString('utf8')]));
    for (const slot of slots) {
      const place = SLOTS[slot]!;
      const base = build({ ...plain(), ...place(MARK) });
      if (base.kind !== 'built') throw new Error(`the plain bundle does not build (${slot}): ${JSON.stringify(base)}`);
      const plainFiles = byPath(base.files);
      for (const value of CORPUS) {
        const id = `${slot} = ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
        const outcome = build({ ...plain(), ...place(value) });
        if (outcome.kind === 'crashed') {
          crashes.push(`${id}: ${outcome.error}`);
          continue;
        }
        if (outcome.kind === 'refused') {
          tally.refused += 1;
          continue;
        }
        tally.built += 1;
        // An optional text left empty is simply not written: nothing to compare.
        if (value === '') continue;
        const files = byPath(outcome.files);
        const expectedPaths = [...plainFiles.keys()].map((p) => p.replaceAll(MARK, () => value)).sort();
        if (JSON.stringify([...files.keys()].sort()) !== JSON.stringify(expectedPaths)) {
          injections.push(`${id}: the files are ${[...files.keys()].join(', ')}`);
          continue;
        }
        for (const path of files.keys()) {
          for (const segment of path.split('/')) {
            const problem = pathSegmentProblem(segment);
            if (problem) injections.push(`${id}: path ${path} has a segment that ${problem}`);
          }
        }
        // A bundle reference in configuration is resolved by synth where it is used in code: compare the YAML only.
        const reference = /\$\{(var|bundle|resources|workspace)\./.test(value);
        for (const [plainPath, plainText] of plainFiles) {
          const path = plainPath.replaceAll(MARK, () => value);
          const text = files.get(path)!;
          if (path.endsWith('.yml')) {
            const want = replaced(parseYaml(plainText), value);
            for (const version of ['1.2', '1.1'] as const) {
              const got = parseYaml(text, { version });
              if (JSON.stringify(got) !== JSON.stringify(want)) injections.push(`${id}: ${path} reads differently as YAML ${version}`);
            }
          } else if (reference) {
            continue;
          } else if (path.endsWith('.json')) {
            if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(replaced(JSON.parse(plainText), value))) injections.push(`${id}: ${path} reads differently as JSON`);
          } else if (path.endsWith('.sql')) {
            const found: { source: string; value: string }[] = [];
            for (const problem of sqlDifferences(text, plainText, value, found)) injections.push(`${id}: ${path}: ${problem}`);
            splices.push(...found.map((s) => ({ ...s, id })));
          } else if (path.endsWith('.py')) {
            // As the file holds it: UTF-8 (a lone surrogate could not survive that, and validate refuses it).
            const asWritten = (t: string) => Buffer.from(t, 'utf8').toString('utf8');
            pyCases.push({ id: `${id}: ${path}`, hostile: asWritten(text), plain: asWritten(plainText), value });
          }
        }
      }
    }
  }, 180_000);

  it('never crashes: every value is refused with its file and line, or built', () => {
    expect(crashes).toEqual([]);
    // The corpus exercises both sides.
    expect(tally.refused).toBeGreaterThan(slots.length * 10);
    expect(tally.built).toBeGreaterThan(slots.length * 10);
  });

  it('builds YAML, JSON, SQL and paths that read back as the value, with nothing injected', () => {
    expect(injections).toEqual([]);
  });

  it('builds Python notebooks that compile, keep their shape and cells, and hold the value', () => {
    expect(pyCases.length).toBeGreaterThan(slots.length);
    expect(checkPython(pyCases)).toEqual([]);
  });

  describe('on DuckDB', () => {
    let duck: Awaited<ReturnType<typeof DuckDBInstance.create>>;
    beforeAll(async () => {
      duck = await DuckDBInstance.create(':memory:');
    });
    afterAll(() => duck.closeSync());

    it('evaluates every spliced literal to the value it stands for', async () => {
      const connection = await duck.connect();
      try {
        const wrong: string[] = [];
        for (const s of splices) {
          const reader = await connection.runAndReadAll(`SELECT ${s.source.replaceAll(' ( ', '(').replaceAll(' )', ')')} AS v`);
          const got = String(reader.getRowObjects()[0]?.['v']);
          if (got !== s.value) wrong.push(`${s.id}: ${JSON.stringify(got)}`);
        }
        expect(wrong).toEqual([]);
      } finally {
        connection.closeSync();
      }
    });
  });
});
}
