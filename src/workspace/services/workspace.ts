// Workspace API: notebooks, files and folders under /Workspace (the bundle's root_path lives here).
import { callEndpoint, type RequestBody, type RequestQuery, type Response, type ServiceContext } from './endpoint.ts';

export type ObjectInfo = Response<'workspace/get-status'>;

/** workspace/import with `content` as bytes (encoded for you) or as base64 text. */
export type ImportRequest = Omit<RequestBody<'workspace/import'>, 'content'> & { content?: string | Uint8Array };

export class WorkspaceService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Creates the directory and its parents; succeeds when it already exists. */
  mkdirs(body: RequestBody<'workspace/mkdirs'>): Promise<Response<'workspace/mkdirs'>> {
    return callEndpoint(this.ctx.http, 'workspace/mkdirs', { body }, { idempotent: true });
  }

  /**
   * Imports a notebook or file (≤ 10 MB). A single SOURCE notebook needs `language`. Repeatable only with
   * overwrite: true; without it a retry after a lost response would fail with RESOURCE_ALREADY_EXISTS.
   */
  import(request: ImportRequest): Promise<Response<'workspace/import'>> {
    const content = typeof request.content === 'string' || request.content === undefined ? request.content : Buffer.from(request.content).toString('base64');
    const body = { ...request, ...(content === undefined ? {} : { content }) };
    return callEndpoint(this.ctx.http, 'workspace/import', { body }, { idempotent: request.overwrite === true });
  }

  /** Content comes back base64-encoded. */
  export(query: RequestQuery<'workspace/export'>): Promise<Response<'workspace/export'>> {
    return callEndpoint(this.ctx.http, 'workspace/export', { query });
  }

  /** The cheap existence probe: a missing path fails with RESOURCE_DOES_NOT_EXIST (see isNotFound). */
  getStatus(query: RequestQuery<'workspace/get-status'>): Promise<ObjectInfo> {
    return callEndpoint(this.ctx.http, 'workspace/get-status', { query });
  }

  /** Direct children of a directory (not paginated). */
  async list(query: RequestQuery<'workspace/list'>): Promise<ObjectInfo[]> {
    const response = await callEndpoint(this.ctx.http, 'workspace/list', { query });
    return response.objects ?? [];
  }

  /** Fails with DIRECTORY_NOT_EMPTY for a non-empty directory unless recursive. */
  delete(body: RequestBody<'workspace/delete'>): Promise<Response<'workspace/delete'>> {
    return callEndpoint(this.ctx.http, 'workspace/delete', { body }, { idempotent: true });
  }
}
