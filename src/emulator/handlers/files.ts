// Files API 2.0 over Unity Catalog volumes: /api/2.0/fs/files{path} (PUT, GET, HEAD, DELETE) and
// /api/2.0/fs/directories{path} (PUT, GET list, HEAD, DELETE). Uploads create missing parent folders; the
// volume itself (/Volumes/<catalog>/<schema>/<volume>) must exist in Unity Catalog, as in Databricks: the
// Files API cannot create one (on the local workspace, whose catalogs exist on demand, every volume does).
import { HttpApiError, filesAlreadyExists, filesNotFound, invalidParameter } from '../http/api-error.ts';
import { decodePageToken, paginate } from '../http/paging.ts';
import type { Route } from '../http/router.ts';
import type { WorkspaceState } from '../state.ts';
import { BodyTooLargeError } from '../store/blobs.ts';
import { type HandlerContext, type Reply, queryBool, queryInt } from './context.ts';
import { volumeExists } from './unity-catalog.ts';

const VOLUME_ROOT_DEPTH = 4;
/** The Files API takes files up to 5 GiB in one upload. */
const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
const filesTooLarge = () => new HttpApiError(400, 'INVALID_PARAMETER_VALUE', `A file uploaded through the Files API can be at most ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB.`);

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** Canonical volume path; anything outside an existing /Volumes/<catalog>/<schema>/<volume> is refused. */
function volumePath(ctx: HandlerContext, raw: string | undefined, minDepth: number): string {
  const parts = segments(raw ?? '');
  if (parts[0] !== 'Volumes' || parts.length < minDepth || parts.some((p) => p === '.' || p === '..')) {
    throw invalidParameter(`Invalid path /${parts.join('/')}: the Files API accepts paths in a Unity Catalog volume, /Volumes/<catalog>/<schema>/<volume>/...`);
  }
  if (!ctx.catalogsOnDemand && !volumeExists(ctx.state, parts[1]!, parts[2]!, parts[3]!)) {
    throw filesNotFound(`The volume /Volumes/${parts.slice(1, 4).join('/')} does not exist: create it in Unity Catalog first.`);
  }
  return `/${parts.join('/')}`;
}

function isVolumeRoot(path: string): boolean {
  return segments(path).length === VOLUME_ROOT_DEPTH;
}

function directoryExists(state: WorkspaceState, path: string): boolean {
  return isVolumeRoot(path) || state.volumes.directories[path] !== undefined;
}

function ancestors(path: string): string[] {
  const parts = segments(path);
  const out: string[] = [];
  for (let depth = VOLUME_ROOT_DEPTH + 1; depth < parts.length; depth++) out.push(`/${parts.slice(0, depth).join('/')}`);
  return out;
}

/** mkdir -p below the volume root; a file in the way is ALREADY_EXISTS. */
function makeDirectories(state: WorkspaceState, dirs: string[], now: number): void {
  for (const dir of dirs) {
    if (state.volumes.files[dir]) throw filesAlreadyExists(`A file exists at ${dir}.`);
    state.volumes.directories[dir] ??= { created_at: now };
  }
}

function fileHeaders(state: WorkspaceState, path: string): Record<string, string> {
  const file = state.volumes.files[path];
  if (!file) throw filesNotFound(`The file ${path} does not exist.`);
  return {
    'content-type': 'application/octet-stream',
    'content-length': String(file.blob.size),
    'last-modified': new Date(file.modified_at).toUTCString(),
  };
}

async function upload(ctx: HandlerContext): Promise<Reply> {
  const { state, now } = ctx;
  const path = volumePath(ctx, ctx.params['path'], VOLUME_ROOT_DEPTH + 1);
  const check = () => {
    if (state.volumes.directories[path]) throw filesAlreadyExists(`A directory exists at ${path}.`);
    if (state.volumes.files[path] && !queryBool(ctx.query, 'overwrite')) throw filesAlreadyExists(`The file ${path} already exists.`);
  };
  check();
  // Streamed into the store (to disk for a workspace kept in a directory), never held whole in memory.
  let blob;
  try {
    blob = await ctx.blobs.putStream(ctx.stream, ctx.limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw filesTooLarge();
    throw error;
  }
  check();
  makeDirectories(state, ancestors(path), now);
  state.volumes.files[path] = { blob, modified_at: now };
  return { status: 204 };
}

function listDirectory(ctx: HandlerContext): Reply {
  const { state } = ctx;
  const dir = volumePath(ctx, ctx.params['path'], VOLUME_ROOT_DEPTH);
  if (!directoryExists(state, dir)) throw filesNotFound(`The directory ${dir} does not exist.`);
  const depth = segments(dir).length + 1;
  const isChild = (p: string) => p.startsWith(`${dir}/`) && segments(p).length === depth;
  const dirs = Object.keys(state.volumes.directories).filter(isChild).map((p) => ({
    path: p,
    is_directory: true,
    name: p.slice(dir.length + 1),
  }));
  const files = Object.entries(state.volumes.files)
    .filter(([p]) => isChild(p))
    .map(([p, f]) => ({
      path: p,
      is_directory: false,
      file_size: f.blob.size,
      last_modified: f.modified_at,
      name: p.slice(dir.length + 1),
    }));
  const all = [...dirs, ...files].sort((a, b) => a.path.localeCompare(b.path));
  const page = paginate(all, decodePageToken(ctx.query.get('page_token')), queryInt(ctx.query, 'page_size', 1000) || 1000);
  return {
    body: {
      ...(page.items.length > 0 ? { contents: page.items } : {}),
      ...(page.next_page_token !== undefined ? { next_page_token: page.next_page_token } : {}),
    },
  };
}

function deleteDirectory(ctx: HandlerContext): Reply {
  const { state } = ctx;
  const dir = volumePath(ctx, ctx.params['path'], VOLUME_ROOT_DEPTH + 1);
  if (!state.volumes.directories[dir]) throw filesNotFound(`The directory ${dir} does not exist.`);
  const prefix = `${dir}/`;
  const busy = Object.keys(state.volumes.files).some((p) => p.startsWith(prefix)) || Object.keys(state.volumes.directories).some((p) => p.startsWith(prefix));
  if (busy) throw new HttpApiError(400, 'FAILED_PRECONDITION', `The directory ${dir} is not empty.`);
  delete state.volumes.directories[dir];
  return { status: 204 };
}

export const filesRoutes: Route[] = [
  { method: 'PUT', pattern: '/api/2.0/fs/files/{path*}', body: 'stream', maxBytes: MAX_UPLOAD_BYTES, tooLarge: filesTooLarge, handle: upload },
  {
    method: 'GET',
    pattern: '/api/2.0/fs/files/{path*}',
    body: 'none',
    handle: async (ctx) => {
      const path = volumePath(ctx, ctx.params['path'], VOLUME_ROOT_DEPTH + 1);
      const headers = fileHeaders(ctx.state, path);
      // Streamed from the store: a download of a large file does not sit in memory.
      return { stream: await ctx.blobs.open(ctx.state.volumes.files[path]!.blob), headers };
    },
  },
  {
    method: 'HEAD',
    pattern: '/api/2.0/fs/files/{path*}',
    body: 'none',
    handle: (ctx) => ({ headers: fileHeaders(ctx.state, volumePath(ctx, ctx.params['path'], VOLUME_ROOT_DEPTH + 1)) }),
  },
  {
    method: 'DELETE',
    pattern: '/api/2.0/fs/files/{path*}',
    body: 'none',
    handle: (ctx) => {
      const path = volumePath(ctx, ctx.params['path'], VOLUME_ROOT_DEPTH + 1);
      if (!ctx.state.volumes.files[path]) throw filesNotFound(`The file ${path} does not exist.`);
      delete ctx.state.volumes.files[path];
      return { status: 204 };
    },
  },
  {
    method: 'PUT',
    pattern: '/api/2.0/fs/directories/{path*}',
    body: 'none',
    handle: (ctx) => {
      const dir = volumePath(ctx, ctx.params['path'], VOLUME_ROOT_DEPTH);
      if (!isVolumeRoot(dir)) makeDirectories(ctx.state, [...ancestors(dir), dir], ctx.now);
      return { status: 204 };
    },
  },
  { method: 'GET', pattern: '/api/2.0/fs/directories/{path*}', body: 'none', handle: listDirectory },
  {
    method: 'HEAD',
    pattern: '/api/2.0/fs/directories/{path*}',
    body: 'none',
    handle: (ctx) => {
      const dir = volumePath(ctx, ctx.params['path'], VOLUME_ROOT_DEPTH);
      if (!directoryExists(ctx.state, dir)) throw filesNotFound(`The directory ${dir} does not exist.`);
      return {};
    },
  },
  { method: 'DELETE', pattern: '/api/2.0/fs/directories/{path*}', body: 'none', handle: deleteDirectory },
];
