// Small helpers shared by adapters for the outcomes Databricks reports as errors.
import { hasErrorCode, isNotFound } from '../../workspace/index.ts';

/** Runs a read; a missing object yields undefined instead of an error. */
export async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Runs a delete; an object that is already gone counts as deleted (a retried delete sees it missing). */
export async function deleteIgnoringMissing(remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove();
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
}

export function isAlreadyExists(error: unknown): boolean {
  return hasErrorCode(error, 'RESOURCE_ALREADY_EXISTS', 'ALREADY_EXISTS');
}

/** `/Workspace/Users/x` and `/Users/x` name the same object; the API may answer with either. */
export function samePath(a: string, b: string): boolean {
  return withoutWorkspacePrefix(a) === withoutWorkspacePrefix(b);
}

export function withoutWorkspacePrefix(path: string): string {
  return path.startsWith('/Workspace/') ? path.slice('/Workspace'.length) : path;
}

export function withWorkspacePrefix(path: string): string {
  return path.startsWith('/Workspace/') || path === '/Workspace' ? path : `/Workspace${path.startsWith('/') ? '' : '/'}${path}`;
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}
