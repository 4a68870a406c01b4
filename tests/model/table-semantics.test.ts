// One semantics, three runtimes: every table model of the reference bundle and of the `init` templates goes
// through the DLT SQL generator, the notebook generator and the local engine, and each must come out with the
// rule names and the quarantine schema that src/model/table-semantics.ts decides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import app from '../../bundles/sales-lakehouse/index.ts';
import { runTables, type UpdateResult } from '../../src/local/engine/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { tableSemantics, type TableSemantics } from '../../src/model/table-semantics.ts';
import type { BundleModel, TableModel } from '../../src/model/types.ts';
import type { Bundle } from '../../src/constructs/bundle.ts';
import { initProject } from '../../src/cli/commands/init.ts';
import { bindConfiguration } from '../../src/local/task-parameters.ts';
import { variableValues } from '../../src/model/variables.ts';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableSql } from '../../src/synth/pipeline-sql.ts';
import { tableSpec } from '../../src/synth/table-code.ts';
import { CATALOG, workspace, type Workspace } from '../local/engine-helpers.ts';

function tablesOf(model: BundleModel): TableModel[] {
  return [...Object.values(model.resources.pipelines).flatMap((p) => p.tables), ...Object.values(model.notebooks).flatMap((n) => n.tables)];
}

const tables = tablesOf(resolve(app, 'dev').model);

/** The tables of a project `dbx-ts init --template <name>` writes, as its own bundle file defines them. */
async function templateTables(template: string): Promise<TableModel[]> {
  const dir = await mkdtemp(join(tmpdir(), 'dbx-ts-semantics-'));
  await initProject(dir, { template, name: 'semantics' });
  const bundle = (await import(join(dir, 'bundle.ts'))) as { default: Bundle };
  const { model } = resolve(bundle.default, 'dev');
  // As the local runner binds them: a pipeline's configuration (`${min_amount}`) filled from the variables.
  const variables = variableValues(model).values;
  return [
    ...Object.values(model.resources.pipelines).flatMap((p) => bindConfiguration(p.tables, p.settings['configuration'], variables)),
    ...Object.values(model.notebooks).flatMap((n) => n.tables),
  ];
}

const templates = { lakehouse: await templateTables('lakehouse') };

type Column = [name: string, type: string];

/** What the semantics decide: rule names in order, and the quarantine table's columns (Databricks types). */
function decided(s: TableSemantics): { rules: string[]; quarantine: Column[] | undefined } {
  return { rules: s.rules.map((r) => r.name), quarantine: s.quarantine?.columns.map((c): Column => [c.name, c.type]) };
}

/** Rule names in generated DLT SQL: cast rules as the literals the quarantine lists, then the constraints. */
function dltRules(sql: string): string[] {
  const casts = [...new Set([...sql.matchAll(/'(cast:[^']+)'/g)].map((m) => m[1]!))];
  const constraints = [...sql.matchAll(/CONSTRAINT `([^`]+)` EXPECT/g)].map((m) => m[1]!);
  return [...casts, ...constraints];
}

/** Column names the DLT SQL's quarantine statement selects (its `AS name` aliases, after `quarantine of`). */
function dltQuarantineColumns(sql: string): string[] | undefined {
  const at = sql.indexOf('(quarantine of ');
  if (at < 0) return undefined;
  const select = sql.slice(at).split('\nFROM (')[0]!;
  return [...select.matchAll(/ AS `([^`]+)`,?$/gm)].map((m) => m[1]!);
}

/** Columns of a `CREATE TABLE IF NOT EXISTS` the notebook runs for its quarantine table. */
function createdColumns(statement: string): Column[] {
  return [...statement.matchAll(/^ {2}`([^`]+)` (\S+?)(?: COMMENT .*)?,?$/gm)].map((m): Column => [m[1]!, m[2]!]);
}

const DUCKDB_TYPES: Record<string, string> = { STRING: 'VARCHAR', 'ARRAY<STRING>': 'VARCHAR[]', TIMESTAMP: 'TIMESTAMP' };

describe("the tables the semantics test covers", () => {
  it('the lakehouse template has tables with rules and a quarantine too', () => {
    expect(templates.lakehouse.some((t) => t.expectations.length > 0 && t.quarantine_table)).toBe(true);
  });

  it('covers tables of every kind, with rules, quarantines and dedupe', () => {
    expect(new Set(tables.map((t) => t.kind))).toEqual(new Set(['streaming_table', 'materialized_view', 'view']));
    expect(tables.filter((t) => t.quarantine_table).length).toBeGreaterThanOrEqual(4);
    expect(tables.some((t) => t.columns?.some((c) => c.type !== 'STRING'))).toBe(true);
  });

});

/** Every table of `list` through the DLT SQL generator, the notebook generator and the local engine. */
function throughEveryRuntime(title: string, list: TableModel[]): void {
  describe(`table semantics: ${title} through every runtime`, () => {
    let ws: Workspace;
    let update: UpdateResult;

    beforeAll(async () => {
      // Empty landing folders: every table is built once (empty), so every rule is measured and every quarantine exists.
      ws = await workspace();
      update = await runTables(ws.db, list, ws.options());
    });
    afterAll(() => ws.cleanup());

    for (const t of list) {
      describe(t.name, () => {
        const s = tableSemantics(t);
        const want = decided(s);

        it('DLT SQL: same rule names and quarantine columns', () => {
          const sql = tableSql(t);
          expect(dltRules(sql)).toEqual(want.rules);
          expect(dltQuarantineColumns(sql)).toEqual(want.quarantine?.map(([name]) => name));
        });

        it('notebook: same rule names and quarantine schema', () => {
          const spec = tableSpec(t, { checkpointRoot: '/Volumes/${catalog}/landing/raw/_checkpoints' }) as {
            metrics?: { rule: string }[];
            setup?: string[];
            quarantine?: unknown;
          };
          expect((spec.metrics ?? []).map((m) => m.rule)).toEqual(want.rules);
          const create = spec.setup?.find((st) => st.includes(`\`${s.quarantine?.table.split('.')[1]}\``) && st.includes('_failed_rules'));
          expect(create ? createdColumns(create) : undefined).toEqual(want.quarantine);
          expect(Boolean(spec.quarantine)).toBe(Boolean(s.quarantine));
        });

        it('local engine: same rule names and quarantine schema', async () => {
          const result = update.tables.find((r) => r.table === `${CATALOG}.${t.name}`)!;
          expect(result.expectations.map((m) => m.expectation)).toEqual(want.rules);
          if (!s.quarantine) return;
          const described = await ws.rows(`DESCRIBE ${s.quarantine.table}`);
          expect(described.map((r): Column => [String(r.column_name), String(r.column_type)])).toEqual(
            want.quarantine!.map(([name, type]): Column => [name, DUCKDB_TYPES[type] ?? type]),
          );
        });
      });
    }
  });
}

throughEveryRuntime('the reference bundle', tables);
throughEveryRuntime('the lakehouse init template', templates.lakehouse);
