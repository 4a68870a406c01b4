// Unity Catalog registered models (API 2.1): the `registered_models` of a bundle, identified by full name
// `<catalog>.<schema>.<name>`. Request bodies follow the bundle schema (the reference API shapes do not cover it).
import type { ServiceContext } from './endpoint.ts';

export interface CreateRegisteredModel {
  name: string;
  catalog_name: string;
  schema_name: string;
  comment?: string;
  storage_location?: string;
}

export interface RegisteredModelInfo extends Partial<CreateRegisteredModel> {
  full_name?: string;
  owner?: string;
  metastore_id?: string;
  created_at?: number;
  updated_at?: number;
}

export class RegisteredModelsService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Not idempotent: a second create fails with RESOURCE_ALREADY_EXISTS (the name is the identity). */
  create(body: CreateRegisteredModel): Promise<RegisteredModelInfo> {
    return this.ctx.http.json({ method: 'POST', path: '/api/2.1/unity-catalog/models', body, operation: 'registered-models/create', idempotent: false });
  }

  get(fullName: string): Promise<RegisteredModelInfo> {
    return this.ctx.http.json({ method: 'GET', path: `/api/2.1/unity-catalog/models/${encodeURIComponent(fullName)}`, operation: 'registered-models/get' });
  }

  update(fullName: string, body: { comment?: string }): Promise<RegisteredModelInfo> {
    return this.ctx.http.json({ method: 'PATCH', path: `/api/2.1/unity-catalog/models/${encodeURIComponent(fullName)}`, body, operation: 'registered-models/update', idempotent: true });
  }

  delete(fullName: string): Promise<Record<string, never>> {
    return this.ctx.http.json({ method: 'DELETE', path: `/api/2.1/unity-catalog/models/${encodeURIComponent(fullName)}`, operation: 'registered-models/delete' });
  }
}
