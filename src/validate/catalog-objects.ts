// Unity Catalog objects the bundle declares (catalogs, schemas, volumes): legal and unique names, grants that
// fit the object, and, once a bundle declares the schemas and volumes of its catalog, tables and file sources
// that stay inside what it declares (so deploy creates everything the pipeline and notebooks use).
import { variableValue } from '../model/resolve.ts';
import type { BundleModel, GrantModel } from '../model/types.ts';
import type { Reporter } from './locate.ts';
import { identifierProblem, isInterpolated } from './names.ts';
import { bundleTables } from './tables.ts';

/** Privileges a volume accepts; anything else is granted on its schema or catalog. */
const VOLUME_PRIVILEGES = new Set(['ALL_PRIVILEGES', 'APPLY_TAG', 'MANAGE', 'READ_VOLUME', 'WRITE_VOLUME']);
/** Privileges that exist only on catalogs (or the metastore): granted on a schema, Unity Catalog refuses them. */
const CATALOG_ONLY_PRIVILEGES = new Set(['USE_CATALOG', 'CREATE_SCHEMA', 'CREATE_CATALOG', 'CREATE_FOREIGN_CATALOG', 'CREATE_CONNECTION', 'CREATE_EXTERNAL_LOCATION', 'CREATE_STORAGE_CREDENTIAL', 'CREATE_SHARE', 'CREATE_RECIPIENT', 'CREATE_PROVIDER', 'CREATE_MANAGED_STORAGE']);

const VAR_ONLY = /^\$\{var\.([^.{}]+)\}$/;

/** The value of a name written literally or as one `${var.x}`; undefined when it depends on anything else. */
function nameValue(model: BundleModel, text: string): string | undefined {
  const variable = VAR_ONLY.exec(text);
  if (variable) {
    const value = variableValue(model, variable[1]!);
    return value === undefined ? undefined : String(value);
  }
  return isInterpolated(text) ? undefined : text;
}

function checkName(kind: string, key: string, name: string, out: Reporter): void {
  if (isInterpolated(name)) return;
  const problem = identifierProblem(name);
  if (problem) out.report('error', `resources.${kind}.${key}.name`, `The ${kind.slice(0, -1)} name "${name}" ${problem}.`);
}

function checkGrants(kind: 'catalogs' | 'schemas' | 'volumes', key: string, grants: GrantModel[] | undefined, out: Reporter): void {
  const seen = new Set<string>();
  (grants ?? []).forEach((grant, i) => {
    const path = `resources.${kind}.${key}.grants[${i}]`;
    if (!grant.principal) out.report('error', `${path}.principal`, `A grant on ${kind.slice(0, -1)} "${key}" names no principal.`);
    if (seen.has(grant.principal)) out.report('error', `${path}.principal`, `${kind.slice(0, -1)} "${key}" grants to "${grant.principal}" more than once; list all of its privileges in one grant.`);
    seen.add(grant.principal);
    if (grant.privileges.length === 0) out.report('error', `${path}.privileges`, `The grant to "${grant.principal}" on ${kind.slice(0, -1)} "${key}" has no privileges.`);
    for (const privilege of grant.privileges) {
      if (kind === 'volumes' && !VOLUME_PRIVILEGES.has(privilege)) {
        out.report('error', `${path}.privileges`, `${privilege} cannot be granted on a volume (volume "${key}" accepts ${[...VOLUME_PRIVILEGES].join(', ')}); grant it on the schema or catalog.`);
      }
      if (kind === 'schemas' && CATALOG_ONLY_PRIVILEGES.has(privilege)) {
        out.report('error', `${path}.privileges`, `${privilege} is a catalog privilege and cannot be granted on schema "${key}"; grant it on the catalog.`);
      }
    }
  });
}

/** `name` used by more than one resource of a kind in the same parent. */
function checkUnique(kind: string, entries: [key: string, parent: string, name: string][], out: Reporter): void {
  const byName = new Map<string, string[]>();
  for (const [key, parent, name] of entries) {
    if (isInterpolated(name)) continue;
    const id = `${parent}\u0000${name.toLowerCase()}`;
    byName.set(id, [...(byName.get(id) ?? []), key]);
  }
  for (const keys of byName.values()) {
    if (keys.length < 2) continue;
    for (const key of keys) {
      const others = keys.filter((k) => k !== key).map((k) => `"${k}"`).join(', ');
      out.report('error', `resources.${kind}.${key}.name`, `${kind.slice(0, -1)} "${key}" has the same name as ${others} in the same ${kind === 'volumes' ? 'schema' : 'catalog'} (Unity Catalog names are case-insensitive).`);
    }
  }
}

/** The schemas the bundle declares in its own catalog (the `catalog` of table names), lower-cased. */
function declaredSchemas(model: BundleModel): Set<string> {
  const out = new Set<string>();
  for (const s of Object.values(model.resources.schemas)) {
    const catalog = s.catalog_key ? nameValue(model, model.resources.catalogs[s.catalog_key]?.settings.name ?? '') : nameValue(model, s.settings.catalog_name);
    if (catalog !== undefined && catalog === model.catalog) out.add(s.settings.name.toLowerCase());
  }
  return out;
}

/** `/Volumes/<catalog>/<schema>/<volume>` of every declared volume, with the catalog as its value. */
function declaredVolumePaths(model: BundleModel): string[] {
  return Object.values(model.resources.volumes).map((v) => {
    const [, , catalog = '', schema = '', volume = ''] = v.path.split('/');
    return `/Volumes/${nameValue(model, catalog) ?? catalog}/${schema}/${volume}`.toLowerCase();
  });
}

/** Tables and file sources outside the declared schemas and volumes (checked only once a bundle declares some). */
function checkCoverage(model: BundleModel, out: Reporter): void {
  const schemas = declaredSchemas(model);
  if (schemas.size === 0) return;
  const hint = 'declare it (new Schema(...)) so deploy creates it, or make sure it exists before the first run';
  for (const { table, path } of bundleTables(model)) {
    const parts = table.name.replaceAll('${catalog}', model.catalog).split('.');
    const schema = parts.length >= 2 ? parts[parts.length - 2]! : undefined;
    const inBundleCatalog = parts.length === 2 || parts[0] === model.catalog;
    if (schema && inBundleCatalog && !schemas.has(schema.toLowerCase())) {
      out.report('warning', `${path}.name`, `Table "${table.name}" is in schema "${schema}", which the bundle does not declare: ${hint}.`, table.location);
    }
    if (table.source?.type === 'files') {
      const source = table.source.path.replaceAll('${catalog}', model.catalog).toLowerCase();
      const volumes = declaredVolumePaths(model);
      if (source.startsWith('/volumes/') && !volumes.some((v) => source === v || source.startsWith(`${v}/`))) {
        out.report('warning', `${path}.source.path`, `Table "${table.name}" reads ${table.source.path}, which is in no volume the bundle declares: declare the volume (new Volume(...)) so deploy creates it.`, table.location);
      }
    }
  }
  for (const [key, p] of Object.entries(model.resources.pipelines)) {
    const schema = p.settings.schema;
    const catalog = p.settings.catalog === undefined ? undefined : nameValue(model, p.settings.catalog);
    if (schema && !isInterpolated(schema) && catalog === model.catalog && !schemas.has(schema.toLowerCase())) {
      out.report('warning', `resources.pipelines.${key}.schema`, `Pipeline "${key}" publishes to schema "${schema}", which the bundle does not declare: ${hint}.`);
    }
  }
}

export function checkCatalogObjects(model: BundleModel, out: Reporter): void {
  const { catalogs, schemas, volumes } = model.resources;
  for (const [key, c] of Object.entries(catalogs)) {
    checkName('catalogs', key, c.settings.name, out);
    checkGrants('catalogs', key, c.settings.grants, out);
  }
  for (const [key, s] of Object.entries(schemas)) {
    checkName('schemas', key, s.settings.name, out);
    checkGrants('schemas', key, s.settings.grants, out);
  }
  for (const [key, v] of Object.entries(volumes)) {
    checkName('volumes', key, v.settings.name, out);
    checkGrants('volumes', key, v.settings.grants, out);
    if (v.settings.volume_type === 'EXTERNAL' && !v.settings['storage_location']) {
      out.report('error', `resources.volumes.${key}.storage_location`, `Volume "${key}" is EXTERNAL but has no storage_location (the cloud storage path it points at).`);
    }
  }
  checkUnique('catalogs', Object.entries(catalogs).map(([k, c]) => [k, '', c.settings.name]), out);
  checkUnique('schemas', Object.entries(schemas).map(([k, s]) => [k, s.settings.catalog_name, s.settings.name]), out);
  checkUnique('volumes', Object.entries(volumes).map(([k, v]) => [k, v.schema_key, v.settings.name]), out);
  checkCoverage(model, out);
}
