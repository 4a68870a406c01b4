// Token pagination as Databricks does it: an opaque page_token in, next_page_token (and for some
// APIs prev_page_token) out. The token encodes an offset; a token that does not decode is a 400.
import { invalidParameter } from './api-error.ts';

export function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

export function decodePageToken(token: string | null | undefined): number {
  if (token === null || token === undefined || token === '') return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw invalidParameter(`Invalid page token: ${token}`);
  return Number(m[1]);
}

/**
 * A token that also carries the listing's parameters, for APIs where a request with page_token may set nothing
 * else (pipelines/events: the order and filter of the first request hold for every page).
 */
export function encodeListingToken(offset: number, params: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ offset, params })).toString('base64url');
}

export function decodeListingToken(token: string): { offset: number; params: Record<string, string> } {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown; params?: unknown };
    if (Number.isInteger(value.offset) && typeof value.params === 'object' && value.params !== null) {
      return { offset: value.offset as number, params: value.params as Record<string, string> };
    }
  } catch {
    // reported below
  }
  throw invalidParameter(`Invalid page token: ${token}`);
}

export interface Page<T> {
  items: T[];
  next_page_token?: string;
  prev_page_token?: string;
  has_more: boolean;
}

export function paginate<T>(items: T[], offset: number, limit: number): Page<T> {
  const slice = items.slice(offset, offset + limit);
  const end = offset + slice.length;
  return {
    items: slice,
    has_more: end < items.length,
    ...(end < items.length ? { next_page_token: encodePageToken(end) } : {}),
    ...(offset > 0 ? { prev_page_token: encodePageToken(Math.max(0, offset - limit)) } : {}),
  };
}

/**
 * Jobs 2.2 array paging inside one object (jobs/get, runs/get): each listed array shows at most
 * `pageSize` elements from the page's offset, arrays already exhausted are left out of later pages,
 * and a top-level next_page_token stays while any array has more.
 */
export function pageArrays(
  obj: Record<string, unknown>,
  paths: string[][],
  offset: number,
  pageSize: number,
): { obj: Record<string, unknown>; next_page_token?: string } {
  const out = structuredClone(obj);
  let more = false;
  for (const path of paths) {
    const parent = path.slice(0, -1).reduce<Record<string, unknown> | undefined>(
      (o, key) => (o?.[key] as Record<string, unknown> | undefined),
      out,
    );
    const key = path[path.length - 1]!;
    const array = parent?.[key];
    if (!parent || !Array.isArray(array)) continue;
    const slice = array.slice(offset, offset + pageSize);
    if (offset + pageSize < array.length) more = true;
    if (slice.length === 0 && offset > 0) delete parent[key];
    else parent[key] = slice;
  }
  return more ? { obj: out, next_page_token: encodePageToken(offset + pageSize) } : { obj: out };
}
