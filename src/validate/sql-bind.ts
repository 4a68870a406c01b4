// The table model's SQL, parsed and bound by DuckDB against the columns each table declares or derives:
// queries read tables the bundle builds or declares external; column expressions bind against the source
// table, expectations and filters against the table's own columns, dedupe keys and the sequence column are
// among them. Tables are checked in dependency order, so a view over a materialized view sees its columns.
// Where columns cannot be known (files whose schema Auto Loader infers, a query that does not bind), what
// reads them is checked for the tables it names only.
import type { BundleModel, ColumnModel, TableModel } from '../model/types.ts';
import { resolveReferences } from '../local/task-parameters.ts';
import type { Reporter } from './locate.ts';
import { SqlScratch, type Parsed, type SqlColumn } from './sql-engine.ts';
import { closest } from './suggest.ts';
import { bundleTables, externalTableNames, TABLE_KINDS, type PlacedTable } from './tables.ts';

/** Columns of a relation; undefined where they cannot be known before the data arrives. */
type Relation = readonly SqlColumn[] | undefined;

interface Checked extends PlacedTable {
  /** `schema.table`, lower case. */
  key: string;
  /** `${name}` → text, as the runtime substitutes it (the catalog, configuration keys or widgets). */
  values: Record<string, string>;
  /** Where unqualified table names resolve: the pipeline's schema. */
  defaultSchema: string | undefined;
}

/** A SQL text of a table to bind, with where it sits and what it is (for messages). */
interface BoundText {
  text: string;
  at: string;
  what: string;
}

/** Columns Auto Loader adds to every files source (as the local engine and the generated code do). */
const AUTOLOADER_COLUMNS: SqlColumn[] = [
  { name: '_rescued_data', type: 'VARCHAR' },
  { name: '_source_file', type: 'VARCHAR' },
  { name: '_ingested_at', type: 'TIMESTAMP' },
];

const RESERVED = new Set(['main', 'system', 'temp', 'memory']);
const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The name the checks give the bundle's catalog: its own where DuckDB allows, so literal references bind too. */
function catalogName(catalog: string): string {
  return PLAIN.test(catalog) && !RESERVED.has(catalog.toLowerCase()) ? catalog : 'bundle_catalog';
}

/** `schema.table` of a model table name (`${catalog}.` or the catalog itself may stand in front). */
function tableKey(name: string, catalog: string): string {
  const parts = name.replaceAll('${catalog}', catalog).split('.');
  return parts.slice(-2).join('.').toLowerCase();
}

export async function checkTableSql(model: BundleModel, out: Reporter): Promise<void> {
  const catalog = catalogName(model.catalog);
  const tables = checkedTables(model, catalog);
  if (tables.length === 0) return;
  const scratch = await SqlScratch.open(catalog);
  try {
    await new TableBinder(model, scratch, out, tables).run();
  } finally {
    await scratch.close();
  }
}

function resolvedValues(entries: [string, unknown][], model: BundleModel): Record<string, string> {
  const variables = { ...Object.fromEntries(Object.entries(model.variables).flatMap(([n, v]) => (v.default === undefined ? [] : [[n, v.default]]))), ...model.target.variables };
  const values: Record<string, string> = {};
  for (const [name, value] of entries) values[name] = resolveReferences(String(value), variables);
  return values;
}

function checkedTables(model: BundleModel, catalog: string): Checked[] {
  const quoted = PLAIN.test(catalog) ? catalog : `"${catalog}"`;
  return bundleTables(model)
    .filter((p) => (TABLE_KINDS as readonly string[]).includes(p.table.kind) && p.table.name.includes('.'))
    .map((p) => {
      const pipeline = /^resources\.pipelines\.([^.[]+)\./.exec(p.path)?.[1];
      const notebook = /^notebooks\.([^.[]+)\./.exec(p.path)?.[1];
      const settings = pipeline ? model.resources.pipelines[pipeline]?.settings : undefined;
      const entries = pipeline
        ? Object.entries((settings?.['configuration'] as Record<string, unknown> | undefined) ?? {})
        : Object.entries(model.notebooks[notebook ?? '']?.widgets ?? {});
      const values = { ...resolvedValues(entries, model), catalog: quoted };
      const schema = typeof settings?.schema === 'string' && !settings.schema.includes('${') ? settings.schema : undefined;
      return { ...p, key: tableKey(p.table.name, catalog), values, defaultSchema: schema };
    });
}

/** `${name}` replaced by its value; one without a value (reported by the subset check) becomes NULL. */
function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([^{}]+)\}/g, (_whole, name: string) => values[name.trim()] ?? 'NULL');
}

/** The first line of a DuckDB error, and the line of the text it points at (`LINE n:`). */
function duckError(message: string): { text: string; line?: number } {
  const text = message.split('\n')[0]!.replace(/^(Binder|Catalog|Parser) Error: /, '');
  const line = /\nLINE (\d+):/.exec(message)?.[1];
  return line ? { text, line: Number(line) } : { text };
}

/** `line 3 of ` for multi-line texts, so the user finds the spot in a long query. */
function lineOf(sql: string, line: number | undefined): string {
  return line !== undefined && sql.includes('\n') ? `line ${line} of ` : '';
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

class TableBinder {
  private readonly relations = new Map<string, Relation>();
  private readonly byKey: Map<string, Checked>;
  /** Quarantine tables by name, with the table that fills each. */
  private readonly quarantineOwner = new Map<string, Checked>();
  private readonly external: Set<string>;

  constructor(
    private readonly model: BundleModel,
    private readonly sql: SqlScratch,
    private readonly out: Reporter,
    private readonly tables: Checked[],
  ) {
    this.byKey = new Map(tables.map((t) => [t.key, t]));
    for (const t of tables) if (t.table.quarantine_table) this.quarantineOwner.set(this.quarantineKey(t), t);
    this.external = externalTableNames(model);
  }

  async run(): Promise<void> {
    const reads = new Map<Checked, Checked[]>();
    for (const t of this.tables) reads.set(t, await this.upstream(t));
    for (const t of this.order(reads)) await this.bindTable(t);
  }

  /** The bundle tables `t` reads (its source table, or those its query names); unknown names are reported. */
  private async upstream(t: Checked): Promise<Checked[]> {
    const found: Checked[] = [];
    const source = t.table.source;
    if (source?.type === 'table') {
      const key = tableKey(source.table, this.sql.catalog);
      const upstream = this.byKey.get(key) ?? this.quarantineOwner.get(key);
      if (upstream) found.push(upstream);
    }
    if (t.table.query === undefined) return found;
    const text = fill(t.table.query, t.values);
    const parsed = await this.parse(text);
    if ('error' in parsed) {
      const { text: why } = duckError(parsed.error);
      this.out.report('error', `${t.path}.query`, `The query of table "${t.table.name}" does not parse: ${why}.`, t.table.location);
      this.relations.set(t.key, undefined);
      return found;
    }
    for (const ref of parsed.refs) {
      const inCatalog = ref.catalog === '' || ref.catalog.toLowerCase() === this.sql.catalog.toLowerCase();
      const schema = ref.schema || t.defaultSchema || '';
      const key = `${schema}.${ref.table}`.toLowerCase();
      const upstream = inCatalog ? (this.byKey.get(key) ?? this.quarantineOwner.get(key)) : undefined;
      if (upstream) {
        if (upstream !== t) found.push(upstream);
        continue;
      }
      const written = [ref.catalog, ref.schema, ref.table].filter(Boolean).join('.');
      if (this.external.has(key) || this.external.has(written.toLowerCase())) continue;
      const line = text.includes('\n') ? ` (line ${lineAt(text, ref.offset)})` : '';
      if (ref.schema === '' && t.defaultSchema === undefined) {
        this.out.report('error', `${t.path}.query`, `The query of table "${t.table.name}" reads ${ref.table}${line} without naming its schema; write <schema>.${ref.table}, or use a table handle (\${${ref.table}} of schema.table('${ref.table}')).`, t.table.location);
        continue;
      }
      const suggestion = closest(inCatalog ? key : written, [...this.byKey.keys(), ...this.quarantineOwner.keys()]);
      this.out.report(
        'error',
        `${t.path}.query`,
        `The query of table "${t.table.name}" reads ${inCatalog ? key : written}${line}, which no pipeline or notebook of the bundle builds and the bundle does not declare external` +
          `${suggestion ? ` (did you mean ${suggestion}?)` : ''}. Build it in the bundle, or declare it with app.externalTable('${inCatalog ? key : written}').`,
        t.table.location,
      );
    }
    return found;
  }

  /** Upstream first; a cycle is reported once and its tables are left unbound. */
  private order(reads: Map<Checked, Checked[]>): Checked[] {
    const ordered: Checked[] = [];
    const state = new Map<Checked, 'visiting' | 'done'>();
    const visit = (t: Checked, path: Checked[]): void => {
      if (state.get(t) === 'done') return;
      if (state.get(t) === 'visiting') {
        const cycle = [...path.slice(path.indexOf(t)), t].map((c) => c.table.name).join(' → ');
        this.out.report('error', `${t.path}.name`, `Tables read each other in a cycle: ${cycle}.`, t.table.location);
        for (const c of path.slice(path.indexOf(t))) this.relations.set(c.key, undefined);
        return;
      }
      state.set(t, 'visiting');
      for (const dep of reads.get(t) ?? []) visit(dep, [...path, t]);
      state.set(t, 'done');
      ordered.push(t);
    };
    for (const t of this.tables) visit(t, []);
    return ordered;
  }

  private async bindTable(t: Checked): Promise<void> {
    const decided = this.relations.has(t.key);
    const input = decided ? undefined : await this.input(t);
    const typed = (t.table.columns ?? []).length > 0;
    let output: Relation = typed ? declaredColumns(t.table.columns ?? []) : input;
    if (typed && input) await this.bindColumnExpressions(t, input);
    if (output) {
      const conditions: BoundText[] = t.table.expectations.map((e, i) => ({
        text: fill(e.condition, t.values),
        at: `expectations[${i}].condition`,
        what: `the condition of expectation "${e.name}"`,
      }));
      if (t.table.where !== undefined) conditions.push({ text: fill(t.table.where, t.values), at: 'where', what: 'the filter' });
      await this.bindAll(t, output, conditions);
      if (t.table.dedupe && !typed) this.checkDedupe(t, output);
    }
    if (decided) output = undefined;
    this.relations.set(t.key, output);
    const [schema, table] = t.key.split('.') as [string, string];
    if (output) await this.sql.createTable(schema, table, output);
    if (t.table.quarantine_table) {
      const q = this.quarantineKey(t);
      const base = typed ? (t.table.columns ?? []).map((c) => ({ name: c.name, type: 'VARCHAR' })) : input;
      const columns = base ? [...base, { name: '_failed_rules', type: 'VARCHAR[]' }, { name: '_quarantined_at', type: 'TIMESTAMP' }] : undefined;
      this.relations.set(q, columns);
      const [qs, qt] = q.split('.') as [string, string];
      if (columns) await this.sql.createTable(qs, qt, columns);
    }
  }

  private readonly parsed = new Map<string, Promise<Parsed>>();

  /** DuckDB's parse of a query, once per text. */
  private parse(text: string): Promise<Parsed> {
    let parsed = this.parsed.get(text);
    if (!parsed) {
      parsed = this.sql.tableRefs(text);
      this.parsed.set(text, parsed);
    }
    return parsed;
  }

  private quarantineKey(t: Checked): string {
    const q = t.table.quarantine_table!;
    return tableKey(q.includes('.') ? q : `${t.key.split('.')[0]}.${q}`, this.sql.catalog);
  }

  /** The rows a table's columns, expectations and filter are computed over: its source, or its query's result. */
  private async input(t: Checked): Promise<Relation> {
    const source = t.table.source;
    if (t.table.kind === 'streaming_table') {
      if (source?.type === 'table') return this.relations.get(tableKey(source.table, this.sql.catalog));
      if (source?.type === 'files') return this.fileColumns(t, source.options ?? {});
      return undefined;
    }
    if (t.table.query === undefined) return undefined;
    const text = fill(t.table.query, t.values);
    // Only a query over tables whose columns are known can bind; the tables it names were checked already.
    const parsed = await this.parse(text);
    if ('error' in parsed) return undefined;
    for (const ref of parsed.refs) {
      const inCatalog = ref.catalog === '' || ref.catalog.toLowerCase() === this.sql.catalog.toLowerCase();
      // External tables, and tables whose columns are unknown, leave the result's columns unknown.
      if (!inCatalog || this.relations.get(`${ref.schema || t.defaultSchema || ''}.${ref.table}`.toLowerCase()) === undefined) return undefined;
    }
    const described = await this.sql.describe(text);
    if ('columns' in described) return described.columns;
    this.reportBindError(t, 'query', 'the query', text, described.error);
    return undefined;
  }

  /** A files source with a declared schema (`options.schema`) has known columns, plus Auto Loader's own. */
  private async fileColumns(t: Checked, options: Record<string, string>): Promise<Relation> {
    const ddl = Object.entries(options).find(([k]) => k.toLowerCase() === 'schema' || k.toLowerCase() === 'cloudfiles.schemahints')?.[1];
    if (ddl === undefined) return undefined;
    const parsed = await this.sql.ddlColumns(ddl);
    if ('error' in parsed) return undefined; // the files-source check reports a schema that does not parse
    return [...parsed.columns, ...AUTOLOADER_COLUMNS];
  }

  private async bindColumnExpressions(t: Checked, input: readonly SqlColumn[]): Promise<void> {
    const texts: BoundText[] = [];
    for (const [i, c] of (t.table.columns ?? []).entries()) {
      if (c.expression !== undefined) {
        texts.push({ text: fill(c.expression, t.values), at: `columns[${i}].expression`, what: `the expression of column "${c.name}"` });
      } else if (!input.some((col) => col.name.toLowerCase() === c.name.toLowerCase())) {
        this.out.report(
          'error',
          `${t.path}.columns[${i}].name`,
          `Column "${c.name}" of table "${t.table.name}" has no expression and its source has no column of that name${suggest(c.name, input)}. ` +
            'Give it an `expression`, or name a source column.',
          t.table.location,
        );
      }
    }
    await this.bindAll(t, input, texts);
  }

  /** Binds every text as an expression over `relation`: one statement when all bind, one per text otherwise. */
  private async bindAll(t: Checked, relation: readonly SqlColumn[], texts: BoundText[]): Promise<void> {
    if (texts.length === 0) return;
    await this.sql.createTable('__dbx_checks', 'rel', relation);
    const from = `"${this.sql.catalog.replaceAll('"', '""')}"."__dbx_checks"."rel"`;
    const all = await this.sql.describe(`SELECT ${texts.map((x, i) => `(\n${x.text}\n) AS __c${i}`).join(', ')} FROM ${from}`);
    if ('columns' in all) return;
    for (const x of texts) {
      // Each text on lines of its own, so DuckDB's LINE n is the line of the text (+1).
      const bound = await this.sql.describe(`SELECT (\n${x.text}\n) FROM ${from}`);
      if ('error' in bound) this.reportBindError(t, x.at, x.what, x.text, bound.error.replace(/\nLINE (\d+):/, (_m, n: string) => `\nLINE ${Number(n) - 1}:`), relation);
    }
  }

  private checkDedupe(t: Checked, relation: readonly SqlColumn[]): void {
    const dedupe = t.table.dedupe!;
    const names = new Set(relation.map((c) => c.name.toLowerCase()));
    const used = [...dedupe.keys.map((k, i) => ({ name: k, at: `keys[${i}]` })), { name: dedupe.sequence_by, at: 'sequence_by' }];
    for (const { name, at } of used) {
      if (names.has(name.toLowerCase())) continue;
      this.out.report(
        'error',
        `${t.path}.dedupe.${at}`,
        `Table "${t.table.name}" deduplicates by "${name}", which is not one of its columns${suggest(name, relation)}.`,
        t.table.location,
      );
    }
  }

  private reportBindError(t: Checked, at: string, what: string, text: string, message: string, relation?: readonly SqlColumn[]): void {
    const { text: why, line } = duckError(message);
    const where = `${lineOf(text, line)}${what} of table "${t.table.name}"`;
    const column = /Referenced column "([^"]+)" not found/.exec(why)?.[1];
    if (column !== undefined) {
      // Over a relation of known columns, name them; in a query, DuckDB's candidates (table-qualified) say it.
      const candidates = /Candidate bindings: (.*)/.exec(message)?.[1];
      const hint = relation ? suggest(column, relation) : candidates ? ` (did you mean ${candidates.replaceAll('"', '')}?)` : '';
      this.out.report('error', `${t.path}.${at}`, `Column "${column}" in ${where} does not exist${hint}.`, t.table.location);
      return;
    }
    if (/Table with name .* does not exist|Catalog .* does not exist/.test(why)) return; // reported with the tables a query reads
    // The portability check already names functions DuckDB lacks.
    if (/Function with name .* does not exist/.test(why)) return;
    // Types and the like: what fails here fails on the local target; Databricks SQL may well accept it.
    this.out.report('warning', `${t.path}.${at}`, `DuckDB, which runs the local target, cannot bind ${where}: ${why}`, t.table.location);
  }
}

function declaredColumns(columns: readonly ColumnModel[]): SqlColumn[] {
  return columns.map((c) => ({ name: c.name, type: c.type === 'STRING' ? 'VARCHAR' : c.type }));
}

function suggest(name: string, relation: readonly SqlColumn[]): string {
  const names = relation.filter((c) => !c.name.startsWith('__')).map((c) => c.name);
  const best = closest(name, names);
  const list = names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, ...`;
  return best ? ` (did you mean "${best}"? columns: ${list})` : ` (columns: ${list})`;
}

export type { TableModel };
