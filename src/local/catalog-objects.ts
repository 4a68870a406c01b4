// The local target creates the catalog objects the bundle declares, from the same declarations deploy sends to
// Unity Catalog: each schema of the local catalog becomes a DuckDB schema, each volume a folder under the
// local volumes root (`<volumes>/<catalog>/<schema>/<volume>`, which is what `/Volumes/...` maps to).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { variableValue } from '../model/resolve.ts';
import { resolveFieldReferences, type ResourceSettings } from '../model/references.ts';
import type { BundleModel } from '../model/types.ts';
import { quoteIdent } from '../sql/quote.ts';
import type { LocalDatabase } from './engine/index.ts';

export interface LocalCatalogObjects {
  schemas: { key: string; catalog: string; schema: string }[];
  volumes: { key: string; catalog: string; schema: string; volume: string }[];
}

/** `${var.x}` with the target's value (as the local engine resolves the catalog variable). */
function withVariables(model: BundleModel, text: unknown): string {
  return String(text).replace(/\$\{var\.([\w-]+)\}/g, (match, name: string) => {
    const value = variableValue(model, name);
    return value === undefined ? match : String(value);
  });
}

/** The declared catalogs, schemas and volumes with every name resolved for the model's target. */
export function localCatalogObjects(model: BundleModel): LocalCatalogObjects {
  const { catalogs, schemas, volumes } = model.resources;
  const entries: ResourceSettings[] = [
    ...Object.entries(catalogs).map(([key, c]) => ({ kind: 'catalogs', key, settings: { name: withVariables(model, c.settings.name) } })),
    ...Object.entries(schemas).map(([key, s]) => ({ kind: 'schemas', key, settings: { name: withVariables(model, s.settings.name), catalog_name: withVariables(model, s.settings.catalog_name) } })),
    ...Object.entries(volumes).map(([key, v]) => ({
      kind: 'volumes',
      key,
      settings: { name: withVariables(model, v.settings.name), catalog_name: withVariables(model, v.settings.catalog_name), schema_name: withVariables(model, v.settings.schema_name) },
    })),
  ];
  const resolved = resolveFieldReferences(entries);
  const of = (kind: string) => resolved.filter((r) => r.kind === kind);
  return {
    schemas: of('schemas').map((r) => ({ key: r.key, catalog: String(r.settings['catalog_name']), schema: String(r.settings['name']) })),
    volumes: of('volumes').map((r) => ({ key: r.key, catalog: String(r.settings['catalog_name']), schema: String(r.settings['schema_name']), volume: String(r.settings['name']) })),
  };
}

/**
 * Creates the schemas and volume folders of the database's catalog (the local engine holds one catalog);
 * returns what belongs to other catalogs and was left out.
 */
export async function createLocalCatalogObjects(db: LocalDatabase, model: BundleModel, volumesRoot: string): Promise<string[]> {
  const objects = localCatalogObjects(model);
  const skipped: string[] = [];
  const connection = await db.connect();
  try {
    for (const s of objects.schemas) {
      if (s.catalog !== db.catalog) skipped.push(`schemas.${s.key} (${s.catalog}.${s.schema})`);
      else await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s.catalog)}.${quoteIdent(s.schema)}`);
    }
  } finally {
    connection.closeSync();
  }
  for (const v of objects.volumes) {
    if (v.catalog !== db.catalog) skipped.push(`volumes.${v.key} (/Volumes/${v.catalog}/${v.schema}/${v.volume})`);
    else await mkdir(join(volumesRoot, v.catalog, v.schema, v.volume), { recursive: true });
  }
  return skipped;
}
