// The names a target gives the bundle's schemas (target isolation, see model/namespace.ts), for the commands that
// read or write data on a target: show, result views, simulate. Development mode's prefix names the current user,
// so only then is the workspace asked who that is.
import { targetSchemaPrefix } from '../deploy/desired.ts';
import { shortUserName } from '../deploy/presets.ts';
import { namespacedText } from '../model/namespace.ts';
import type { BundleModel } from '../model/types.ts';

/** A schema of the bundle's catalog by its declared name → its name on the target; other names unchanged. */
export type SchemaNames = (declared: string) => string;

export const declaredSchemaNames: SchemaNames = (name) => name;

export function schemaNamesWith(model: BundleModel, prefix: string): SchemaNames {
  const ours = new Set(Object.keys(model.schema_keys ?? {}));
  return (name) => (ours.has(name) ? `${prefix}${name}` : name);
}

/** The target's schema names; `me` (the workspace's current user) is asked only when the prefix depends on it. */
export async function targetSchemaNames(model: BundleModel, me: () => Promise<{ userName: string }>): Promise<SchemaNames> {
  const dependsOnUser = targetSchemaPrefix(model, 'a') !== targetSchemaPrefix(model, 'b');
  const shortName = dependsOnUser ? shortUserName((await me()).userName) : '';
  return schemaNamesWith(model, targetSchemaPrefix(model, shortName));
}

/** `/Volumes/<catalog>/<schema>/...` with the schema as the target names it. */
export function targetVolumePath(path: string, names: SchemaNames): string {
  const parts = path.split('/');
  if (parts[0] === '' && parts[1] === 'Volumes' && parts.length >= 4) parts[3] = names(parts[3]!);
  return parts.join('/');
}

/**
 * SQL written once for every target, as table definitions are: `${catalog}` is the target's catalog, and a bundle
 * schema after it (`${catalog}.gold.t`) is the schema as this target names it (`dev_jane_gold` in development).
 */
export function targetSqlText(sql: string, model: BundleModel, names: SchemaNames): string {
  return namespacedText(sql, model.schema_keys ?? {}, '${catalog}', (name) => names(name)).replaceAll('${catalog}', model.catalog);
}
