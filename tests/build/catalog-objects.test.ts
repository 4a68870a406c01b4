// Catalogs, schemas and volumes as definitions: references as values, the bundle YAML Databricks expects, and
// diagnostics for names, grants and tables or file sources outside what the bundle declares.
import { describe, expect, it } from 'vitest';
import { Bundle, Catalog, Notebook, Pipeline, resolve, Schema, Volume } from '../../src/index.ts';
import { validateBundleConfig } from '../../src/schema/validators.ts';
import { configFiles, mergedConfig } from '../../src/synth/config.ts';
import { validateModel } from '../../src/validate/index.ts';

function bundle(): Bundle {
  return new Bundle({ name: 'b', variables: { catalog: { default: 'main_cat' } }, targets: { dev: { default: true, mode: 'development' } } });
}

const messages = (app: Bundle) => validateModel(resolve(app).model, { repoRoot: process.cwd() }).map((d) => `${d.severity}: ${d.message}`);

describe('catalog objects', () => {
  it('emit schemas, volumes and catalogs as the bundle schema writes them, volumes referring to their schema', () => {
    const app = bundle();
    const owned = new Catalog(app, 'cat', { name: 'sales', comment: 'Owned', grants: [{ principal: 'analysts', privileges: ['USE_CATALOG'] }] });
    const landing = new Schema(app, 'landing', { catalog: app.var('catalog'), comment: 'Raw files' });
    const mart = new Schema(app, 'mart', { catalog: owned, name: 'sales_mart', grants: [{ principal: 'analysts', privileges: ['USE_SCHEMA', 'SELECT'] }] });
    const raw = new Volume(app, 'raw', { schema: landing, grants: [{ principal: 'loaders', privileges: ['WRITE_VOLUME'] }] });
    const ext = new Volume(app, 'ext', { schema: mart, storage_location: 'abfss://c@acct.dfs.core.windows.net/ext' });

    expect(raw.path).toBe('/Volumes/${var.catalog}/landing/raw');
    expect(ext.path).toBe('/Volumes/sales/sales_mart/ext');
    expect(mart.tableName('orders')).toBe('sales_mart.orders');
    expect(landing.nameRef).toBe('${resources.schemas.landing.name}');

    const { model, diagnostics } = resolve(app);
    expect(diagnostics).toEqual([]);
    expect(model.resources.schemas['mart']).toEqual({
      settings: { name: 'sales_mart', catalog_name: '${resources.catalogs.cat.name}', grants: [{ principal: 'analysts', privileges: ['USE_SCHEMA', 'SELECT'] }] },
      catalog_key: 'cat',
    });
    expect(model.resources.volumes['raw']).toEqual({
      settings: {
        name: 'raw',
        volume_type: 'MANAGED',
        catalog_name: '${resources.schemas.landing.catalog_name}',
        schema_name: '${resources.schemas.landing.name}',
        grants: [{ principal: 'loaders', privileges: ['WRITE_VOLUME'] }],
      },
      schema_key: 'landing',
      path: '/Volumes/${var.catalog}/landing/raw',
    });
    expect(model.resources.volumes['ext']!.settings.volume_type).toBe('EXTERNAL');
    expect(model.locations['resources.schemas.landing']?.line).toBeGreaterThan(0);

    const files = configFiles(model);
    expect(files.map((f) => f.path).filter((p) => p.startsWith('resources/')).sort()).toEqual([
      'resources/cat.catalog.yml',
      'resources/ext.volume.yml',
      'resources/landing.schema.yml',
      'resources/mart.schema.yml',
      'resources/raw.volume.yml',
    ]);
    expect(validateBundleConfig(mergedConfig(files))).toEqual([]);
    expect(messages(app)).toEqual([]);
  });

  it('reports bad names, duplicate names, misplaced grants and foreign schemas', () => {
    const app = bundle();
    const other = bundle();
    const foreign = new Schema(other, 'elsewhere', { catalog: 'x' });
    const a = new Schema(app, 'a', { catalog: 'c', name: 'Sales', grants: [{ principal: 'g', privileges: ['USE_CATALOG'] }] });
    new Schema(app, 'b', { catalog: 'c', name: 'sales' });
    new Schema(app, 'bad', { catalog: 'c', name: 'has.dot' });
    new Volume(app, 'v', { schema: a, grants: [{ principal: 'g', privileges: ['SELECT'] }, { principal: 'g', privileges: ['READ_VOLUME'] }] });
    new Volume(app, 'orphan', { schema: foreign });
    new Volume(app, 'external', { schema: a, volume_type: 'EXTERNAL' });
    const { diagnostics } = resolve(app);
    expect(diagnostics.map((d) => d.message)).toEqual(['Volume "orphan" is in schema "elsewhere", which is not part of this bundle.']);
    const found = messages(app);
    expect(found).toEqual(
      expect.arrayContaining([
        'error: USE_CATALOG is a catalog privilege and cannot be granted on schema "a"; grant it on the catalog.',
        'error: schema "a" has the same name as "b" in the same catalog (Unity Catalog names are case-insensitive).',
        expect.stringMatching(/^error: The schema name "has\.dot" contains a period/),
        expect.stringMatching(/^error: SELECT cannot be granted on a volume/),
        'error: volume "v" grants to "g" more than once; list all of its privileges in one grant.',
        'error: Volume "external" is EXTERNAL but has no storage_location (the cloud storage path it points at).',
      ]),
    );
  });

  it('once schemas are declared, warns about tables and file sources outside them', () => {
    const app = bundle();
    const catalog = app.var('catalog');
    const bronze = new Schema(app, 'bronze', { catalog });
    const landing = new Schema(app, 'landing', { catalog });
    new Volume(app, 'raw', { schema: landing });
    new Pipeline(app, 'p', {
      catalog,
      schema: 'silver',
      tables: [
        { name: bronze.tableName('ok'), layer: 'bronze', kind: 'streaming_table', source: { type: 'files', path: '/Volumes/${catalog}/landing/raw/sales', format: 'parquet' } },
        { name: 'bronze.lost', layer: 'bronze', kind: 'streaming_table', source: { type: 'files', path: '/Volumes/${catalog}/landing/other', format: 'parquet' } },
      ],
    });
    new Notebook(app, 'nb', { source: 'x.py', tables: [{ name: '${catalog}.gold.summary', layer: 'gold', kind: 'materialized_view', query: 'SELECT 1 AS x' }] });
    const found = messages(app).filter((m) => m.startsWith('warning'));
    expect(found.sort()).toEqual([
      'warning: Pipeline "p" publishes to schema "silver", which the bundle does not declare: declare it (new Schema(...)) so deploy creates it, or make sure it exists before the first run.',
      'warning: Table "${catalog}.gold.summary" is in schema "gold", which the bundle does not declare: declare it (new Schema(...)) so deploy creates it, or make sure it exists before the first run.',
      'warning: Table "bronze.lost" reads /Volumes/${catalog}/landing/other, which is in no volume the bundle declares: declare the volume (new Volume(...)) so deploy creates it.',
    ]);
  });

  it('a bundle that declares no schemas gets no coverage warnings', () => {
    const app = bundle();
    new Pipeline(app, 'p', { catalog: app.var('catalog'), schema: 'silver', tables: [{ name: 'silver.t', layer: 'silver', kind: 'materialized_view', query: 'SELECT 1 AS x' }] });
    expect(messages(app)).toEqual([]);
  });
});
