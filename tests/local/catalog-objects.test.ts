// The local target creates the declared schemas (DuckDB) and volumes (folders) from the same declarations.
import { access, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bundle, Catalog, resolve, Schema, Volume } from '../../src/index.ts';
import { createLocalCatalogObjects, localCatalogObjects } from '../../src/local/catalog-objects.ts';
import { openLocalDatabase } from '../../src/local/engine/index.ts';

function app(): Bundle {
  const b = new Bundle({ name: 'b', variables: { catalog: { default: 'shop' } }, targets: { local: { default: true, local: true, variables: { catalog: 'shop_local' } } } });
  const landing = new Schema(b, 'landing', { catalog: b.var('catalog') });
  new Schema(b, 'mart', { catalog: b.var('catalog'), name: 'sales_mart' });
  new Volume(b, 'raw', { schema: landing });
  const other = new Catalog(b, 'other', { name: 'elsewhere' });
  new Volume(b, 'far', { schema: new Schema(b, 'far_schema', { catalog: other }) });
  return b;
}

describe('local catalog objects', () => {
  it('resolves names for the target, through variables and references', () => {
    const objects = localCatalogObjects(resolve(app()).model);
    expect(objects.schemas).toEqual([
      { key: 'landing', catalog: 'shop_local', schema: 'landing' },
      { key: 'mart', catalog: 'shop_local', schema: 'sales_mart' },
      { key: 'far_schema', catalog: 'elsewhere', schema: 'far_schema' },
    ]);
    expect(objects.volumes).toEqual([
      { key: 'raw', catalog: 'shop_local', schema: 'landing', volume: 'raw' },
      { key: 'far', catalog: 'elsewhere', schema: 'far_schema', volume: 'far' },
    ]);
  });

  it('creates DuckDB schemas and volume folders of the local catalog, and names what it left out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbx-ts-local-uc-'));
    const { model } = resolve(app());
    const db = await openLocalDatabase(join(dir, 'db'), model.catalog);
    try {
      const skipped = await createLocalCatalogObjects(db, model, join(dir, 'volumes'));
      expect(skipped).toEqual(['schemas.far_schema (elsewhere.far_schema)', 'volumes.far (/Volumes/elsewhere/far_schema/far)']);
      const sql = await db.openSqlClient();
      try {
        const rows = await sql.query("SELECT schema_name FROM information_schema.schemata WHERE catalog_name = 'shop_local' ORDER BY 1");
        const names: string[] = [];
        for await (const row of rows) names.push(String((row as { schema_name: unknown }).schema_name));
        expect(names).toEqual(expect.arrayContaining(['landing', 'sales_mart']));
      } finally {
        await sql.close();
      }
      await access(join(dir, 'volumes', 'shop_local', 'landing', 'raw'));
    } finally {
      await db.close();
    }
  });
});
