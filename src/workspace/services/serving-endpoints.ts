// Model serving endpoints (API 2.0), identified by name. Create takes the whole endpoint; afterwards each part
// has its own call (config, tags, AI gateway, notifications), as the Databricks CLI's direct engine uses them.
// Request bodies follow the bundle schema (the reference API shapes do not cover this API).
import type { ResourcesModelServingEndpoint, ServingAiGatewayConfig, ServingEmailNotifications, ServingEndpointCoreConfigInput, ServingEndpointTag } from '../../schema/bundle-types.ts';
import type { ServiceContext } from './endpoint.ts';

export type CreateServingEndpoint = Omit<ResourcesModelServingEndpoint, 'permissions' | 'lifecycle'>;

export interface ServingEndpointDetailed {
  id?: string;
  name: string;
  description?: string;
  config?: Record<string, unknown>;
  pending_config?: Record<string, unknown>;
  state?: { ready?: string; config_update?: string };
  tags?: { key: string; value?: string }[];
  ai_gateway?: Record<string, unknown>;
  email_notifications?: Record<string, unknown>;
  route_optimized?: boolean;
  budget_policy_id?: string;
}

export class ServingEndpointsService {
  constructor(private readonly ctx: ServiceContext) {}

  private path(name: string, suffix = ''): string {
    return `/api/2.0/serving-endpoints/${encodeURIComponent(name)}${suffix}`;
  }

  /** Not idempotent: a second create fails with RESOURCE_ALREADY_EXISTS (the name is the identity). */
  create(body: CreateServingEndpoint): Promise<ServingEndpointDetailed> {
    return this.ctx.http.json({ method: 'POST', path: '/api/2.0/serving-endpoints', body, operation: 'serving-endpoints/create', idempotent: false });
  }

  get(name: string): Promise<ServingEndpointDetailed> {
    return this.ctx.http.json({ method: 'GET', path: this.path(name), operation: 'serving-endpoints/get' });
  }

  updateConfig(name: string, config: ServingEndpointCoreConfigInput): Promise<ServingEndpointDetailed> {
    return this.ctx.http.json({ method: 'PUT', path: this.path(name, '/config'), body: config, operation: 'serving-endpoints/update-config', idempotent: true });
  }

  patchTags(name: string, body: { add_tags?: ServingEndpointTag[]; delete_tags?: string[] }): Promise<unknown> {
    return this.ctx.http.json({ method: 'PATCH', path: this.path(name, '/tags'), body, operation: 'serving-endpoints/patch', idempotent: true });
  }

  putAiGateway(name: string, body: ServingAiGatewayConfig): Promise<unknown> {
    return this.ctx.http.json({ method: 'PUT', path: this.path(name, '/ai-gateway'), body, operation: 'serving-endpoints/put-ai-gateway', idempotent: true });
  }

  updateNotifications(name: string, emailNotifications: ServingEmailNotifications | undefined): Promise<unknown> {
    return this.ctx.http.json({
      method: 'PATCH',
      path: this.path(name, '/notifications'),
      body: emailNotifications ? { email_notifications: emailNotifications } : {},
      operation: 'serving-endpoints/update-notifications',
      idempotent: true,
    });
  }

  delete(name: string): Promise<Record<string, never>> {
    return this.ctx.http.json({ method: 'DELETE', path: this.path(name), operation: 'serving-endpoints/delete' });
  }
}
