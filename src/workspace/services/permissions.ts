// Permissions API: the access control list of a workspace object (`jobs/<id>`, `pipelines/<id>`,
// `dashboards/<id>`, ...). `set` replaces the direct entries; inherited ones (admins) stay.
import { callEndpoint, type RequestBody, type Response, type ServiceContext } from './endpoint.ts';

export type ObjectPermissions = Response<'permissions/get'>;
export type AccessControlRequest = NonNullable<RequestBody<'permissions/set'>['access_control_list']>[number];

export class PermissionsService {
  constructor(private readonly ctx: ServiceContext) {}

  get(objectType: string, objectId: string): Promise<ObjectPermissions> {
    return callEndpoint(this.ctx.http, 'permissions/get', { path: { request_object_type: objectType, request_object_id: objectId } });
  }

  /** Replaces every direct permission (PUT); the same request twice leaves the same list. */
  set(objectType: string, objectId: string, acl: AccessControlRequest[]): Promise<ObjectPermissions> {
    return callEndpoint(
      this.ctx.http,
      'permissions/set',
      { path: { request_object_type: objectType, request_object_id: objectId }, body: { access_control_list: acl } },
      { idempotent: true },
    );
  }
}
