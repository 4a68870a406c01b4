// SCIM: who the credentials belong to (for `auth whoami` and development-mode name prefixes).
import type { ServiceContext } from './endpoint.ts';

export interface ScimUser {
  id: string;
  userName: string;
  displayName?: string;
  active?: boolean;
  emails?: { value: string; primary?: boolean; type?: string }[];
  groups?: { value: string; display?: string }[];
}

export class ScimService {
  constructor(private readonly ctx: ServiceContext) {}

  /** The calling user or service principal (service principals have an application id as userName). */
  me(): Promise<ScimUser> {
    return this.ctx.http.json<ScimUser>({ method: 'GET', path: '/api/2.0/preview/scim/v2/Me', operation: 'scim/me' });
  }
}
