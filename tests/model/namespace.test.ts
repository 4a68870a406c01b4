// Target isolation: the schema prefix a target gets (as the Databricks CLI computes it) and how generated text
// names the bundle's schemas by their per-target parameter.
import { describe, expect, it } from 'vitest';
import { namespacedText, normalizePrefix, schemaPrefix } from '../../src/model/namespace.ts';

describe('schemaPrefix', () => {
  it('is dev_<short name>_ in development mode and nothing in production, as the CLI normalises it', () => {
    expect(schemaPrefix({ mode: 'development', shortName: 'Jane_Doe' })).toBe('dev_jane_doe_');
    expect(schemaPrefix({ mode: 'development', shortName: 'a__b_' })).toBe('dev_a_b_');
    expect(schemaPrefix({ mode: 'production', shortName: 'jane' })).toBe('');
    expect(schemaPrefix({ mode: undefined, shortName: 'jane' })).toBe('');
  });

  it('follows presets.name_prefix on any target, and experimental.skip_name_prefix_for_schema', () => {
    expect(schemaPrefix({ mode: 'production', shortName: 'jane', presets: { name_prefix: '[staging] ' } })).toBe('staging_');
    expect(schemaPrefix({ mode: 'development', shortName: 'jane', presets: { name_prefix: 'team-a.' } })).toBe('team_a');
    expect(schemaPrefix({ mode: 'development', shortName: 'jane', experimental: { skip_name_prefix_for_schema: true } })).toBe('');
    expect(normalizePrefix('[dev lennart] ')).toBe('dev_lennart_');
  });

  it('gives the local target, one user\'s own workspace, the declared names', () => {
    expect(schemaPrefix({ mode: 'development', shortName: 'jane', local: true })).toBe('');
    expect(schemaPrefix({ mode: 'development', shortName: 'jane', local: true, presets: { name_prefix: '[x] ' } })).toBe('x_');
  });
});

describe('namespacedText', () => {
  const schemas = { silver: 'silver', landing: 'landing_key' };

  it('names schemas of the bundle by parameter after the catalog, quoted or not, and in volume paths', () => {
    expect(namespacedText('SELECT * FROM ${catalog}.silver.t JOIN `${catalog}`.`silver`.`u`', schemas)).toBe(
      'SELECT * FROM ${catalog}.${schema_silver}.t JOIN `${catalog}`.`${schema_silver}`.`u`',
    );
    expect(namespacedText("'/Volumes/${catalog}/landing/raw/x'", schemas)).toBe("'/Volumes/${catalog}/${schema_landing}/raw/x'");
  });

  it('leaves other catalogs, other schemas, longer names and unqualified names alone', () => {
    const text = 'FROM samples.silver.t, ${catalog}.silver_x.t, ${catalog}.gold.t, silver.t, /Volumes/${catalog}/landings/';
    expect(namespacedText(text, schemas)).toBe(text);
  });

  it('in settings, names the schema by its resource reference', () => {
    const value = namespacedText('/Volumes/${var.catalog}/landing/raw', schemas, '${var.catalog}', (_n, key) => `\${resources.schemas.${key}.name}`);
    expect(value).toBe('/Volumes/${var.catalog}/${resources.schemas.landing_key.name}/raw');
  });
});
