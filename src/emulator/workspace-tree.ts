// The workspace tree over the flat `objects` map: path rules, parents, children, mkdir -p and
// recursive removal. Shared by the Workspace API, Lakeview (dashboards live in the tree) and runs
// (a notebook task's notebook must exist).
import { alreadyExists, doesNotExist, invalidParameter } from './http/api-error.ts';
import { nextObjectId } from './ids.ts';
import type { WorkspaceObject, WorkspaceState } from './state.ts';

/**
 * Canonical form of a workspace path: absolute, no trailing slash, and without the `/Workspace`
 * prefix (the same object is reachable as `/Workspace/Users/...` and `/Users/...`).
 */
export function normaliseWorkspacePath(path: string): string {
  if (!path.startsWith('/')) throw invalidParameter(`Path (${path}) doesn't start with '/'`);
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..')) throw invalidParameter(`Path (${path}) is not canonical`);
  const rest = parts[0] === 'Workspace' ? parts.slice(1) : parts;
  return `/${rest.join('/')}`;
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function getObject(state: WorkspaceState, path: string): WorkspaceObject | undefined {
  return state.objects[path];
}

export function requireObject(state: WorkspaceState, path: string): WorkspaceObject {
  const obj = state.objects[path];
  if (!obj) throw doesNotExist(`Path (${path}) doesn't exist.`);
  return obj;
}

export function childPaths(state: WorkspaceState, dir: string): string[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return Object.keys(state.objects)
    .filter((p) => p !== dir && p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
    .sort();
}

export function descendantPaths(state: WorkspaceState, dir: string): string[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return Object.keys(state.objects).filter((p) => p !== dir && p.startsWith(prefix));
}

/** mkdir -p: creates missing directories; an object in the way is RESOURCE_ALREADY_EXISTS. */
export function makeDirectories(state: WorkspaceState, path: string, now: number): void {
  const parts = path.split('/').filter((p) => p !== '');
  let current = '';
  for (const part of ['', ...parts]) {
    current = part === '' ? '/' : current === '/' ? `/${part}` : `${current}/${part}`;
    const existing = state.objects[current];
    if (existing && existing.object_type !== 'DIRECTORY') {
      throw alreadyExists(`Node named '${baseName(current)}' already exists`);
    }
    if (!existing) {
      state.objects[current] = { object_type: 'DIRECTORY', object_id: nextObjectId(state), created_at: now, modified_at: now };
    }
  }
}

/** Import needs the parent folder to exist already (it does not create it). */
export function requireParentDirectory(state: WorkspaceState, path: string): void {
  const parent = parentPath(path);
  if (state.objects[parent]?.object_type !== 'DIRECTORY') {
    throw doesNotExist(`The parent folder (${parent}) does not exist.`);
  }
}
