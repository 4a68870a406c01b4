// Unity Catalog 2.1: catalogs, schemas and volumes. Names are case-insensitive and stored lower-cased; a
// schema needs its catalog and a volume its schema; a schema with volumes is deleted only with force=true (and
// takes its volumes and their files with it). Volume files themselves are served by the Files API (files.ts).
import { HttpApiError, invalidParameter } from '../http/api-error.ts';
import type { JsonObject } from '../http/json.ts';
import { decodePageToken, paginate } from '../http/paging.ts';
import type { Route } from '../http/router.ts';
import { nextUuid } from '../ids.ts';
import { type CatalogRecord, type SchemaRecord, type UcVolumeRecord, type WorkspaceState, unityCatalogOf } from '../state.ts';
import { type HandlerContext, type Reply, callerOf, ok, optObject, optString, queryBool, queryInt, requireQuery, requireString } from './context.ts';

const UC = '/api/2.1/unity-catalog';
const METASTORE_ID = 'e0000000-0000-4000-8000-00000000beef';
const MAX_RESULTS = 1000;
// eslint-disable-next-line no-control-regex -- control characters are what Unity Catalog refuses
const FORBIDDEN = /[.\s/\u0000-\u001F\u007F]/u;

const notFound = (code: string, message: string) => new HttpApiError(404, code, message);
const exists = (code: string, message: string) => new HttpApiError(409, code, message);

function checkName(kind: string, value: string): string {
  if (value === '' || value.length > 255 || FORBIDDEN.test(value)) {
    throw invalidParameter(`Invalid ${kind} name '${value}': names cannot contain periods, spaces, slashes or control characters, and have at most 255 characters.`);
  }
  return value.toLowerCase();
}

function stringMap(body: JsonObject, name: string): Record<string, string> {
  const value = optObject(body, name) ?? {};
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') throw invalidParameter(`Invalid value for ${name}.${k}: expected a string`);
  return value as Record<string, string>;
}

/** The catalog by name; on a workspace whose catalogs exist on demand (the local one), a missing one is made. */
export function requireCatalog(ctx: HandlerContext, rawName: string): CatalogRecord {
  const name = rawName.toLowerCase();
  const uc = unityCatalogOf(ctx.state);
  const found = uc.catalogs[name];
  if (found) return found;
  if (!ctx.catalogsOnDemand) throw notFound('CATALOG_DOES_NOT_EXIST', `Catalog '${name}' does not exist.`);
  const created: CatalogRecord = { name, properties: {}, owner: callerOf(ctx).userName, created_at: ctx.now, updated_at: ctx.now };
  uc.catalogs[name] = created;
  return created;
}

function requireSchema(state: WorkspaceState, fullName: string): SchemaRecord {
  const schema = unityCatalogOf(state).schemas[fullName.toLowerCase()];
  if (!schema) throw notFound('SCHEMA_DOES_NOT_EXIST', `Schema '${fullName}' does not exist.`);
  return schema;
}

function requireVolume(state: WorkspaceState, fullName: string): UcVolumeRecord {
  const volume = unityCatalogOf(state).volumes[fullName.toLowerCase()];
  if (!volume) throw notFound('VOLUME_DOES_NOT_EXIST', `Volume '${fullName}' does not exist.`);
  return volume;
}

function base(record: { owner: string; created_at: number; updated_at: number; comment?: string }): JsonObject {
  return {
    owner: record.owner,
    created_at: record.created_at,
    created_by: record.owner,
    updated_at: record.updated_at,
    updated_by: record.owner,
    metastore_id: METASTORE_ID,
    ...(record.comment !== undefined ? { comment: record.comment } : {}),
  };
}

function catalogInfo(c: CatalogRecord): JsonObject {
  return {
    ...base(c),
    name: c.name,
    full_name: c.name,
    catalog_type: 'MANAGED_CATALOG',
    securable_type: 'CATALOG',
    isolation_mode: 'OPEN',
    properties: c.properties,
    ...(c.storage_root !== undefined ? { storage_root: c.storage_root } : {}),
  };
}

function schemaInfo(s: SchemaRecord): JsonObject {
  return {
    ...base(s),
    name: s.name,
    catalog_name: s.catalog_name,
    full_name: `${s.catalog_name}.${s.name}`,
    catalog_type: 'MANAGED_CATALOG',
    schema_id: s.schema_id,
    properties: s.properties,
    ...(s.storage_root !== undefined ? { storage_root: s.storage_root } : {}),
    ...(s.custom_max_retention_hours !== undefined ? { custom_max_retention_hours: s.custom_max_retention_hours } : {}),
  };
}

function volumeInfo(v: UcVolumeRecord): JsonObject {
  return {
    ...base(v),
    name: v.name,
    catalog_name: v.catalog_name,
    schema_name: v.schema_name,
    full_name: `${v.catalog_name}.${v.schema_name}.${v.name}`,
    volume_type: v.volume_type,
    storage_location: v.storage_location,
    volume_id: v.volume_id,
  };
}

function listPage<T>(items: T[], ctx: HandlerContext, key: string, render: (item: T) => JsonObject): Reply {
  const limit = Math.min(queryInt(ctx.query, 'max_results', MAX_RESULTS) || MAX_RESULTS, MAX_RESULTS);
  const page = paginate(items, decodePageToken(ctx.query.get('page_token')), limit);
  return ok({ [key]: page.items.map(render), ...(page.next_page_token ? { next_page_token: page.next_page_token } : {}) });
}

/** Removes a volume and the files under its path. */
function dropVolume(state: WorkspaceState, fullName: string): void {
  const v = unityCatalogOf(state).volumes[fullName];
  if (!v) return;
  delete unityCatalogOf(state).volumes[fullName];
  delete unityCatalogOf(state).grants[`volume/${fullName}`];
  const root = `/Volumes/${v.catalog_name}/${v.schema_name}/${v.name}`;
  for (const path of Object.keys(state.volumes.files)) if (path === root || path.startsWith(`${root}/`)) delete state.volumes.files[path];
  for (const path of Object.keys(state.volumes.directories)) if (path.startsWith(`${root}/`)) delete state.volumes.directories[path];
}

// ---- catalogs -------------------------------------------------------------------------------------------------

function createCatalog(ctx: HandlerContext): Reply {
  const name = checkName('catalog', requireString(ctx.body, 'name'));
  if (unityCatalogOf(ctx.state).catalogs[name]) throw exists('CATALOG_ALREADY_EXISTS', `Catalog '${name}' already exists.`);
  const record: CatalogRecord = { name, properties: stringMap(ctx.body, 'properties'), owner: callerOf(ctx).userName, created_at: ctx.now, updated_at: ctx.now };
  const comment = optString(ctx.body, 'comment');
  if (comment !== undefined) record.comment = comment;
  const storageRoot = optString(ctx.body, 'storage_root');
  if (storageRoot !== undefined) record.storage_root = storageRoot;
  unityCatalogOf(ctx.state).catalogs[name] = record;
  return ok(catalogInfo(record));
}

function updateCatalog(ctx: HandlerContext): Reply {
  const uc = unityCatalogOf(ctx.state);
  const catalog = requireCatalog(ctx, ctx.params['name']!);
  const comment = optString(ctx.body, 'comment');
  if (comment !== undefined) catalog.comment = comment;
  if (ctx.body['properties'] !== undefined) catalog.properties = stringMap(ctx.body, 'properties');
  const owner = optString(ctx.body, 'owner');
  if (owner !== undefined) catalog.owner = owner;
  const newName = optString(ctx.body, 'new_name');
  if (newName !== undefined && newName.toLowerCase() !== catalog.name) {
    const renamed = checkName('catalog', newName);
    if (uc.catalogs[renamed]) throw exists('CATALOG_ALREADY_EXISTS', `Catalog '${renamed}' already exists.`);
    delete uc.catalogs[catalog.name];
    for (const [key, s] of Object.entries(uc.schemas)) if (s.catalog_name === catalog.name) {
      delete uc.schemas[key];
      s.catalog_name = renamed;
      uc.schemas[`${renamed}.${s.name}`] = s;
    }
    for (const [key, v] of Object.entries(uc.volumes)) if (v.catalog_name === catalog.name) {
      delete uc.volumes[key];
      v.catalog_name = renamed;
      uc.volumes[`${renamed}.${v.schema_name}.${v.name}`] = v;
    }
    catalog.name = renamed;
    uc.catalogs[renamed] = catalog;
  }
  catalog.updated_at = ctx.now;
  return ok(catalogInfo(catalog));
}

function deleteCatalog(ctx: HandlerContext): Reply {
  const uc = unityCatalogOf(ctx.state);
  const name = ctx.params['name']!.toLowerCase();
  if (!uc.catalogs[name]) throw notFound('CATALOG_DOES_NOT_EXIST', `Catalog '${name}' does not exist.`);
  const schemas = Object.keys(uc.schemas).filter((k) => uc.schemas[k]!.catalog_name === name);
  if (schemas.length > 0 && !queryBool(ctx.query, 'force')) {
    throw new HttpApiError(400, 'CATALOG_NOT_EMPTY', `Catalog '${name}' is not empty: it has schemas ${schemas.join(', ')}. Use force to delete it with its contents.`);
  }
  for (const key of Object.keys(uc.volumes)) if (uc.volumes[key]!.catalog_name === name) dropVolume(ctx.state, key);
  for (const key of schemas) {
    delete uc.schemas[key];
    delete uc.grants[`schema/${key}`];
  }
  delete uc.catalogs[name];
  delete uc.grants[`catalog/${name}`];
  return ok();
}

// ---- schemas --------------------------------------------------------------------------------------------------

function createSchema(ctx: HandlerContext): Reply {
  const uc = unityCatalogOf(ctx.state);
  const owner = callerOf(ctx).userName;
  const catalog = requireCatalog(ctx, requireString(ctx.body, 'catalog_name'));
  const name = checkName('schema', requireString(ctx.body, 'name'));
  const fullName = `${catalog.name}.${name}`;
  if (uc.schemas[fullName]) throw exists('SCHEMA_ALREADY_EXISTS', `Schema '${fullName}' already exists.`);
  const record: SchemaRecord = {
    name,
    catalog_name: catalog.name,
    properties: stringMap(ctx.body, 'properties'),
    owner,
    schema_id: nextUuid(ctx.state),
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const comment = optString(ctx.body, 'comment');
  if (comment !== undefined) record.comment = comment;
  const storageRoot = optString(ctx.body, 'storage_root');
  if (storageRoot !== undefined) record.storage_root = storageRoot.replace(/\/+$/, '');
  const retention = ctx.body['custom_max_retention_hours'];
  if (typeof retention === 'number') record.custom_max_retention_hours = retention;
  uc.schemas[fullName] = record;
  return ok(schemaInfo(record));
}

function updateSchema(ctx: HandlerContext): Reply {
  const schema = requireSchema(ctx.state, ctx.params['full_name']!);
  if (optString(ctx.body, 'new_name') !== undefined) throw invalidParameter('Renaming a schema is not supported by this emulator.');
  const comment = optString(ctx.body, 'comment');
  if (comment !== undefined) schema.comment = comment;
  if (ctx.body['properties'] !== undefined) schema.properties = stringMap(ctx.body, 'properties');
  const retention = ctx.body['custom_max_retention_hours'];
  if (typeof retention === 'number') schema.custom_max_retention_hours = retention;
  const owner = optString(ctx.body, 'owner');
  if (owner !== undefined) schema.owner = owner;
  schema.updated_at = ctx.now;
  return ok(schemaInfo(schema));
}

function deleteSchema(ctx: HandlerContext): Reply {
  const uc = unityCatalogOf(ctx.state);
  const schema = requireSchema(ctx.state, ctx.params['full_name']!);
  const fullName = `${schema.catalog_name}.${schema.name}`;
  const volumes = Object.keys(uc.volumes).filter((k) => k.startsWith(`${fullName}.`));
  if (volumes.length > 0 && !queryBool(ctx.query, 'force')) {
    throw new HttpApiError(400, 'SCHEMA_NOT_EMPTY', `Schema '${fullName}' is not empty: it has volumes ${volumes.join(', ')}. Use force to delete it with its contents.`);
  }
  for (const key of volumes) dropVolume(ctx.state, key);
  delete uc.schemas[fullName];
  delete uc.grants[`schema/${fullName}`];
  return ok();
}

// ---- volumes --------------------------------------------------------------------------------------------------

function createVolume(ctx: HandlerContext): Reply {
  const uc = unityCatalogOf(ctx.state);
  const catalog = requireString(ctx.body, 'catalog_name').toLowerCase();
  const schema = requireSchema(ctx.state, `${catalog}.${requireString(ctx.body, 'schema_name')}`);
  const name = checkName('volume', requireString(ctx.body, 'name'));
  const type = requireString(ctx.body, 'volume_type');
  if (type !== 'MANAGED' && type !== 'EXTERNAL') throw invalidParameter(`Invalid volume_type: ${type}`);
  const location = optString(ctx.body, 'storage_location');
  if (type === 'EXTERNAL' && location === undefined) throw invalidParameter('An EXTERNAL volume needs a storage_location.');
  if (type === 'MANAGED' && location !== undefined) throw invalidParameter('A MANAGED volume cannot have a storage_location.');
  const fullName = `${schema.catalog_name}.${schema.name}.${name}`;
  if (uc.volumes[fullName]) throw exists('VOLUME_ALREADY_EXISTS', `Volume '${fullName}' already exists.`);
  const id = nextUuid(ctx.state);
  const record: UcVolumeRecord = {
    name,
    catalog_name: schema.catalog_name,
    schema_name: schema.name,
    volume_type: type,
    storage_location: location?.replace(/\/+$/, '') ?? `abfss://unity@emulator.dfs.core.windows.net/volumes/${id}`,
    owner: callerOf(ctx).userName,
    volume_id: id,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const comment = optString(ctx.body, 'comment');
  if (comment !== undefined) record.comment = comment;
  uc.volumes[fullName] = record;
  return ok(volumeInfo(record));
}

function updateVolume(ctx: HandlerContext): Reply {
  const uc = unityCatalogOf(ctx.state);
  const volume = requireVolume(ctx.state, ctx.params['name']!);
  const comment = optString(ctx.body, 'comment');
  if (comment !== undefined) volume.comment = comment;
  const owner = optString(ctx.body, 'owner');
  if (owner !== undefined) volume.owner = owner;
  const newName = optString(ctx.body, 'new_name');
  if (newName !== undefined && newName.toLowerCase() !== volume.name) {
    const renamed = checkName('volume', newName);
    const oldKey = `${volume.catalog_name}.${volume.schema_name}.${volume.name}`;
    const newKey = `${volume.catalog_name}.${volume.schema_name}.${renamed}`;
    if (uc.volumes[newKey]) throw exists('VOLUME_ALREADY_EXISTS', `Volume '${newKey}' already exists.`);
    const oldRoot = `/Volumes/${volume.catalog_name}/${volume.schema_name}/${volume.name}`;
    const newRoot = `/Volumes/${volume.catalog_name}/${volume.schema_name}/${renamed}`;
    const move = <T>(area: Record<string, T>) => {
      for (const path of Object.keys(area)) if (path.startsWith(`${oldRoot}/`)) {
        area[newRoot + path.slice(oldRoot.length)] = area[path]!;
        delete area[path];
      }
    };
    move(ctx.state.volumes.files);
    move(ctx.state.volumes.directories);
    delete uc.volumes[oldKey];
    volume.name = renamed;
    uc.volumes[newKey] = volume;
  }
  volume.updated_at = ctx.now;
  return ok(volumeInfo(volume));
}

export const unityCatalogRoutes: Route[] = [
  { method: 'POST', pattern: `${UC}/catalogs`, body: 'json', handle: createCatalog },
  {
    method: 'GET',
    pattern: `${UC}/catalogs`,
    body: 'none',
    handle: (ctx) => listPage(Object.values(unityCatalogOf(ctx.state).catalogs).sort((a, b) => a.name.localeCompare(b.name)), ctx, 'catalogs', catalogInfo),
  },
  { method: 'GET', pattern: `${UC}/catalogs/{name}`, body: 'none', handle: (ctx) => ok(catalogInfo(requireCatalog(ctx, ctx.params['name']!))) },
  { method: 'PATCH', pattern: `${UC}/catalogs/{name}`, body: 'json', handle: updateCatalog },
  { method: 'DELETE', pattern: `${UC}/catalogs/{name}`, body: 'none', handle: deleteCatalog },

  { method: 'POST', pattern: `${UC}/schemas`, body: 'json', handle: createSchema },
  {
    method: 'GET',
    pattern: `${UC}/schemas`,
    body: 'none',
    handle: (ctx) => {
      const catalog = requireCatalog(ctx, requireQuery(ctx.query, 'catalog_name'));
      const schemas = Object.values(unityCatalogOf(ctx.state).schemas).filter((s) => s.catalog_name === catalog.name);
      return listPage(schemas.sort((a, b) => a.name.localeCompare(b.name)), ctx, 'schemas', schemaInfo);
    },
  },
  { method: 'GET', pattern: `${UC}/schemas/{full_name}`, body: 'none', handle: (ctx) => ok(schemaInfo(requireSchema(ctx.state, ctx.params['full_name']!))) },
  { method: 'PATCH', pattern: `${UC}/schemas/{full_name}`, body: 'json', handle: updateSchema },
  { method: 'DELETE', pattern: `${UC}/schemas/{full_name}`, body: 'none', handle: deleteSchema },

  { method: 'POST', pattern: `${UC}/volumes`, body: 'json', handle: createVolume },
  {
    method: 'GET',
    pattern: `${UC}/volumes`,
    body: 'none',
    handle: (ctx) => {
      const schema = requireSchema(ctx.state, `${requireQuery(ctx.query, 'catalog_name')}.${requireQuery(ctx.query, 'schema_name')}`);
      const volumes = Object.values(unityCatalogOf(ctx.state).volumes).filter((v) => v.catalog_name === schema.catalog_name && v.schema_name === schema.name);
      return listPage(volumes.sort((a, b) => a.name.localeCompare(b.name)), ctx, 'volumes', volumeInfo);
    },
  },
  { method: 'GET', pattern: `${UC}/volumes/{name}`, body: 'none', handle: (ctx) => ok(volumeInfo(requireVolume(ctx.state, ctx.params['name']!))) },
  { method: 'PATCH', pattern: `${UC}/volumes/{name}`, body: 'json', handle: updateVolume },
  {
    method: 'DELETE',
    pattern: `${UC}/volumes/{name}`,
    body: 'none',
    handle: (ctx) => {
      const volume = requireVolume(ctx.state, ctx.params['name']!);
      dropVolume(ctx.state, `${volume.catalog_name}.${volume.schema_name}.${volume.name}`);
      return ok();
    },
  },
];

/** True when `/Volumes/<catalog>/<schema>/<volume>` is a volume of the metastore (the Files API needs one). */
export function volumeExists(state: WorkspaceState, catalog: string, schema: string, volume: string): boolean {
  return unityCatalogOf(state).volumes[`${catalog}.${schema}.${volume}`.toLowerCase()] !== undefined;
}
