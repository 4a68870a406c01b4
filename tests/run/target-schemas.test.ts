// The schema names show, result views and simulate use on a target: development mode's are the user's own.
import { describe, expect, it } from 'vitest';
import app from '../../bundles/sales-lakehouse/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { targetSchemaNames, targetSqlText, targetVolumePath } from '../../src/run/target-schemas.ts';

describe('targetSchemaNames', () => {
  it("asks who the user is in development mode, and prefixes the bundle's schemas only", async () => {
    let asked = 0;
    const me = async () => (asked++, { userName: 'Jane.Doe@example.com' });
    const dev = await targetSchemaNames(resolve(app, 'dev').model, me);
    expect([dev('gold'), dev('landing'), dev('other')]).toEqual(['dev_jane_doe_gold', 'dev_jane_doe_landing', 'other']);
    expect(targetVolumePath('/Volumes/cat/landing/raw', dev)).toBe('/Volumes/cat/dev_jane_doe_landing/raw');
    expect(asked).toBe(1);
  });

  it('uses the declared names in production and on the local target, without asking', async () => {
    const me = async () => {
      throw new Error('not asked');
    };
    for (const target of ['prod', 'local']) {
      const names = await targetSchemaNames(resolve(app, target).model, me);
      expect(names('gold')).toBe('gold');
    }
  });
});

describe('targetSqlText', () => {
  it("names the target's catalog and its own schemas where SQL says ${catalog}.<schema>, leaving other names alone", async () => {
    const model = resolve(app, 'dev').model;
    const dev = await targetSchemaNames(model, async () => ({ userName: 'jane@example.com' }));
    const sql = 'SELECT * FROM ${catalog}.gold.sales_enriched JOIN `${catalog}`.`silver`.products USING (id) JOIN other.gold.x USING (id)';
    expect(targetSqlText(sql, model, dev)).toBe(
      `SELECT * FROM ${model.catalog}.dev_jane_gold.sales_enriched JOIN \`${model.catalog}\`.\`dev_jane_silver\`.products USING (id) JOIN other.gold.x USING (id)`,
    );
    expect(targetSqlText('SELECT 1', model, dev)).toBe('SELECT 1');
  });
});
