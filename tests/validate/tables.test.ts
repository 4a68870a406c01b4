import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Notebook, Pipeline, type TableDefinition } from '../../src/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { validateModel } from '../../src/validate/index.ts';
import { identifierProblem, tableNameProblem } from '../../src/validate/names.ts';
import { FIXTURE_REPO, markedLine, matching, only, testBundle } from './helpers.ts';

const line = (name: string): number => markedLine(import.meta.url, name);
const opts = { repoRoot: FIXTURE_REPO };
const files = (dir: string): TableDefinition['source'] => ({ type: 'files', path: `/Volumes/\${catalog}/landing/raw/${dir}`, format: 'parquet' });

describe('table names', () => {
  it('follows the Unity Catalog and unquoted-identifier rules', () => {
    expect(identifierProblem('sales_2024')).toBeUndefined();
    expect(identifierProblem('_staging')).toBeUndefined();
    expect(identifierProblem('sales data')).toBe('contains a space, which Unity Catalog does not allow in names');
    expect(identifierProblem('tab\there')).toBe('contains whitespace, which Unity Catalog does not allow in names');
    expect(identifierProblem('bell\u0007')).toBe('contains the control character U+0007, which Unity Catalog does not allow in names');
    expect(identifierProblem('a/b')).toBe('contains a slash, which Unity Catalog does not allow in names');
    expect(identifierProblem('sales-eu')).toMatch(/^is not a plain identifier/);
    expect(identifierProblem('2024_sales')).toMatch(/^is not a plain identifier/);
    expect(identifierProblem('ventes_é')).toMatch(/^is not a plain identifier/);
    expect(identifierProblem('x'.repeat(256))).toBe('is longer than 255 characters');
    expect(identifierProblem('')).toBe('is empty');
    expect(tableNameProblem('silver.sales')).toBeUndefined();
    expect(tableNameProblem('sales')).toBe('must be written <schema>.<table> (found 1 part)');
    expect(tableNameProblem('main.silver.sales')).toBe('must be written <schema>.<table> (found 3 parts)');
    expect(tableNameProblem('silver.sales data')).toBe('has a table part "sales data" that contains a space, which Unity Catalog does not allow in names');
    expect(tableNameProblem('.sales')).toBe('has a schema part "" that is empty');
  });

  it('reports bad table and column names at the line that declared the table', () => {
    const app = testBundle();
    const pipeline = new Pipeline(app, 'ingest', { serverless: true });
    pipeline.table({ name: 'bronze.sales raw', layer: 'bronze', kind: 'streaming_table', source: files('sales') }); // @mark bad-table
    pipeline.table({ // @mark bad-column
      name: 'silver.sales',
      layer: 'silver',
      kind: 'materialized_view',
      query: 'SELECT 1 AS a',
      columns: [{ name: 'unit.price', type: 'DOUBLE' }],
    });
    const diagnostics = validateModel(resolve(app).model, opts);
    const table = only(diagnostics, 'Table name');
    expect(table.message).toBe('Table name "bronze.sales raw" has a table part "sales raw" that contains a space, which Unity Catalog does not allow in names.');
    expect(table.path).toBe('resources.pipelines.ingest.tables[0].name');
    expect(table.location?.line).toBe(line('bad-table'));
    const column = only(diagnostics, 'Column "unit.price"');
    expect(column.path).toBe('resources.pipelines.ingest.tables[1].columns[0].name');
    expect(column.location?.line).toBe(line('bad-column'));
  });
});

describe('table definitions', () => {
  it('reports sources that no pipeline or notebook defines, and finds those a notebook defines', () => {
    const app = testBundle();
    new Notebook(app, 'batch', { // @mark notebook
      source: 'notebooks/ok.py',
      tables: [{ name: 'bronze.products_raw', layer: 'bronze', kind: 'streaming_table', source: files('products') }],
    });
    const pipeline = new Pipeline(app, 'ingest', { serverless: true });
    pipeline.table({ name: 'silver.products', layer: 'silver', kind: 'streaming_table', source: { type: 'table', table: 'bronze.products_raw' } });
    pipeline.table({ name: 'silver.stores', layer: 'silver', kind: 'streaming_table', source: { type: 'table', table: 'bronze.stores_raw' } }); // @mark missing-source
    pipeline.table({ name: 'bronze.products_raw', layer: 'bronze', kind: 'streaming_table', source: files('again') }); // @mark duplicate
    const diagnostics = validateModel(resolve(app).model, opts);
    const missing = only(diagnostics, 'reads from');
    expect(missing.message).toBe('Table "silver.stores" reads from "bronze.stores_raw", which no pipeline or notebook of the bundle defines and the bundle does not declare external.');
    expect(missing.path).toBe('resources.pipelines.ingest.tables[1].source.table');
    expect(missing.location?.line).toBe(line('missing-source'));
    const dup = only(diagnostics, 'defined twice');
    const file = relative(FIXTURE_REPO, fileURLToPath(import.meta.url));
    expect(dup.message).toBe(`Table "bronze.products_raw" is defined twice: by pipeline "ingest" and by notebook "batch" (${file}:${line('notebook')}).`);
    expect(dup.location?.line).toBe(line('duplicate'));
  });

  it('requires the fields each kind needs and dedupe columns that exist', () => {
    const app = testBundle();
    new Pipeline(app, 'ingest', { // @mark shapes
      serverless: true,
      tables: [
        { name: 'bronze.a', layer: 'bronze', kind: 'streaming_table' },
        { name: 'gold.v', layer: 'gold', kind: 'view' },
        {
          name: 'silver.b',
          layer: 'silver',
          kind: 'streaming_table',
          source: { type: 'table', table: 'bronze.a' },
          columns: [{ name: 'id', type: 'STRING' }],
          dedupe: { keys: ['id', 'code'], sequence_by: 'updated_at' },
        },
      ],
    });
    const diagnostics = validateModel(resolve(app).model, opts);
    expect(only(diagnostics, 'has no source').path).toBe('resources.pipelines.ingest.tables[0].source');
    expect(only(diagnostics, 'View "gold.v" has no query').path).toBe('resources.pipelines.ingest.tables[1].query');
    const dedupe = matching(diagnostics, 'deduplicates by');
    expect(dedupe.map((d) => d.path)).toEqual([
      'resources.pipelines.ingest.tables[2].dedupe.keys[1]',
      'resources.pipelines.ingest.tables[2].dedupe.sequence_by',
    ]);
    expect(dedupe.every((d) => d.location?.line === line('shapes'))).toBe(true);
  });
});

describe('the declared schema of a files source', () => {
  it('is checked: a bad column or an unmapped type is an error at the table, a good schema passes', () => {
    const app = testBundle();
    const pipeline = new Pipeline(app, 'ingest', { serverless: true });
    const source = (schema: string): TableDefinition['source'] => ({ type: 'files', path: '/Volumes/c/s/v/x', format: 'json', options: { schema } });
    pipeline.table({ name: 'bronze.ok', layer: 'bronze', kind: 'streaming_table', source: source('id STRING, amount DECIMAL(10, 2), `odd name` TIMESTAMP') });
    pipeline.table({ name: 'bronze.bad', layer: 'bronze', kind: 'streaming_table', source: source('id STRING, amount') }); // @mark bad-schema
    pipeline.table({ name: 'bronze.map', layer: 'bronze', kind: 'streaming_table', source: source('id MAP') });
    const diagnostics = validateModel(resolve(app).model, opts);
    const bad = only(diagnostics, 'bronze.bad');
    expect(bad.message).toBe('The schema of the files source of table "bronze.bad" has a column "amount" that is not `name TYPE`.');
    expect(bad.path).toBe('resources.pipelines.ingest.tables[1].source.options.schema');
    expect(bad.location?.line).toBe(line('bad-schema'));
    expect(only(diagnostics, 'bronze.map').message).toContain('gives column "id" the type MAP, which dbx-ts does not map');
    expect(matching(diagnostics, 'bronze.ok')).toEqual([]);
  });
});
