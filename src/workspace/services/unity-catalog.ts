// Unity Catalog API 2.1: catalogs, schemas and volumes (one small service each). Objects are addressed by
// name: a catalog by its name, a schema by `<catalog>.<schema>`, a volume by `<catalog>.<schema>.<volume>`.
import { paginate } from '../pagination.ts';
import { callEndpoint, type RequestBody, type RequestQuery, type Response, type ServiceContext } from './endpoint.ts';

export type CatalogInfo = Response<'catalogs/get'>;
export type SchemaInfo = Response<'schemas/get'>;
export type VolumeInfo = Response<'volumes/read'>;

export class CatalogsService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Not idempotent: a second call fails with CATALOG_ALREADY_EXISTS. */
  create(body: RequestBody<'catalogs/create'>): Promise<Response<'catalogs/create'>> {
    return callEndpoint(this.ctx.http, 'catalogs/create', { body }, { idempotent: false });
  }

  get(name: string): Promise<CatalogInfo> {
    return callEndpoint(this.ctx.http, 'catalogs/get', { path: { name } });
  }

  update(name: string, body: RequestBody<'catalogs/update'>): Promise<Response<'catalogs/update'>> {
    return callEndpoint(this.ctx.http, 'catalogs/update', { path: { name }, body }, { idempotent: true });
  }

  /** `force` deletes the catalog with its schemas, tables and volumes. */
  delete(name: string, query: RequestQuery<'catalogs/delete'> = {}): Promise<Response<'catalogs/delete'>> {
    return callEndpoint(this.ctx.http, 'catalogs/delete', { path: { name }, query });
  }

  list(query: Omit<RequestQuery<'catalogs/list'>, 'page_token'> = {}): AsyncGenerator<CatalogInfo, void, undefined> {
    return paginate(
      (page_token) => callEndpoint(this.ctx.http, 'catalogs/list', { query: { ...query, ...(page_token ? { page_token } : {}) } }),
      (page) => page.catalogs,
    );
  }
}

export class SchemasService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Not idempotent: a second call fails with SCHEMA_ALREADY_EXISTS. */
  create(body: RequestBody<'schemas/create'>): Promise<Response<'schemas/create'>> {
    return callEndpoint(this.ctx.http, 'schemas/create', { body }, { idempotent: false });
  }

  get(fullName: string): Promise<SchemaInfo> {
    return callEndpoint(this.ctx.http, 'schemas/get', { path: { full_name: fullName } });
  }

  update(fullName: string, body: RequestBody<'schemas/update'>): Promise<Response<'schemas/update'>> {
    return callEndpoint(this.ctx.http, 'schemas/update', { path: { full_name: fullName }, body }, { idempotent: true });
  }

  /** `force` deletes the schema with its tables and volumes. */
  delete(fullName: string, query: RequestQuery<'schemas/delete'> = {}): Promise<Response<'schemas/delete'>> {
    return callEndpoint(this.ctx.http, 'schemas/delete', { path: { full_name: fullName }, query });
  }

  list(query: Omit<RequestQuery<'schemas/list'>, 'page_token'>): AsyncGenerator<SchemaInfo, void, undefined> {
    return paginate(
      (page_token) => callEndpoint(this.ctx.http, 'schemas/list', { query: { ...query, ...(page_token ? { page_token } : {}) } }),
      (page) => page.schemas,
    );
  }
}

export class VolumesService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Not idempotent: a second call fails because the volume exists. */
  create(body: RequestBody<'volumes/create'>): Promise<Response<'volumes/create'>> {
    return callEndpoint(this.ctx.http, 'volumes/create', { body }, { idempotent: false });
  }

  read(fullName: string): Promise<VolumeInfo> {
    return callEndpoint(this.ctx.http, 'volumes/read', { path: { name: fullName } });
  }

  /** Changes the comment or owner, or renames it (new_name). */
  update(fullName: string, body: RequestBody<'volumes/update'>): Promise<Response<'volumes/update'>> {
    return callEndpoint(this.ctx.http, 'volumes/update', { path: { name: fullName }, body }, { idempotent: true });
  }

  /** Deletes the volume; a managed volume's files go with it. */
  delete(fullName: string): Promise<Response<'volumes/delete'>> {
    return callEndpoint(this.ctx.http, 'volumes/delete', { path: { name: fullName } });
  }

  list(query: Omit<RequestQuery<'volumes/list'>, 'page_token'>): AsyncGenerator<VolumeInfo, void, undefined> {
    return paginate(
      (page_token) => callEndpoint(this.ctx.http, 'volumes/list', { query: { ...query, ...(page_token ? { page_token } : {}) } }),
      (page) => page.volumes,
    );
  }
}
