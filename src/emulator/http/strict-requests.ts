// Optional strict checking of request bodies against the API's generated schema (unknown fields,
// missing required fields, bad enums). The real service often ignores an unknown field silently; in
// tests we would rather hear about a client typo.
import { ENDPOINTS, type ApiAlias } from '../../schema/api-types.ts';
import { validateApiRequest } from '../../schema/validators.ts';
import { invalidParameter } from './api-error.ts';
import type { Route } from './router.ts';

const MAX_LISTED_ISSUES = 5;

/** The schema alias of a route, when the generated schema covers it (same method and path pattern). */
export function aliasOf(route: Route): ApiAlias | undefined {
  for (const [alias, endpoint] of Object.entries(ENDPOINTS)) {
    if (endpoint.method === route.method && endpoint.path === route.pattern) return alias as ApiAlias;
  }
  return undefined;
}

/** Throws 400 INVALID_PARAMETER_VALUE naming the problems; bodies are checked as plain JSON. */
export function checkRequestBody(route: Route, raw: Buffer): void {
  if (route.body !== 'json' || raw.length === 0) return;
  checkRequestValue(route, JSON.parse(raw.toString('utf8')));
}

/** As checkRequestBody, for a body already parsed (one whose large member was streamed). */
export function checkRequestValue(route: Route, value: unknown): void {
  const alias = aliasOf(route);
  if (!alias) return;
  const issues = validateApiRequest(alias, 'body', value);
  if (issues.length === 0) return;
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((i) => `${i.path || '(body)'}: ${i.message}`);
  const more = issues.length > MAX_LISTED_ISSUES ? ` (and ${issues.length - MAX_LISTED_ISSUES} more)` : '';
  throw invalidParameter(`Request body does not match the ${alias} schema: ${listed.join('; ')}${more}`);
}
