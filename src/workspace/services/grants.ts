// Unity Catalog grants: privileges of principals on a securable (`catalog`, `schema`, `volume`, ...).
import { callEndpoint, type RequestBody, type Response, type ServiceContext } from './endpoint.ts';

export type PrivilegeAssignment = NonNullable<Response<'grants/get'>['privilege_assignments']>[number];
export type PermissionsChange = NonNullable<RequestBody<'grants/update'>['changes']>[number];

export class GrantsService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Every explicit grant on the securable, across pages. */
  async get(securableType: string, fullName: string): Promise<PrivilegeAssignment[]> {
    const out: PrivilegeAssignment[] = [];
    let pageToken: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await callEndpoint(this.ctx.http, 'grants/get', {
        path: { securable_type: securableType, full_name: fullName },
        query: pageToken ? { page_token: pageToken } : {},
      });
      out.push(...(page.privilege_assignments ?? []));
      const next = page.next_page_token;
      if (!next || seen.has(next)) return out;
      seen.add(next);
      pageToken = next;
    }
  }

  /** Adds and removes privileges; sending the same changes twice leaves the same grants, so it may be retried. */
  update(securableType: string, fullName: string, changes: PermissionsChange[]): Promise<Response<'grants/update'>> {
    return callEndpoint(this.ctx.http, 'grants/update', { path: { securable_type: securableType, full_name: fullName }, body: { changes } }, { idempotent: true });
  }
}
