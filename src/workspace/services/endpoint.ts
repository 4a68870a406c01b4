// Typed calls by endpoint alias: method and path come from the generated ENDPOINTS table, request and response
// types from `Endpoints`, so each service method is one line of intent.
import { ENDPOINTS, type ApiAlias, type Endpoints } from '../../schema/api-types.ts';
import type { AuthType } from '../auth/types.ts';
import type { CallOptions, HttpClient, QueryParams } from '../http.ts';
import type { Lossless } from '../json.ts';

export type RequestBody<A extends ApiAlias> = Lossless<Endpoints[A]['body']>;
export type RequestQuery<A extends ApiAlias> = Lossless<Endpoints[A]['query']>;
export type Response<A extends ApiAlias> = Lossless<Endpoints[A]['response']>;

/** What every service needs: the HTTP client, and how we authenticate (some errors depend on it). */
export interface ServiceContext {
  http: HttpClient;
  authType: AuthType;
}

export interface EndpointCall {
  path?: Record<string, string>;
  query?: object;
  body?: unknown;
}

type Extra = Pick<CallOptions, 'idempotent' | 'sensitiveFields'>;

/** Fills `{name}` path templates; each value is percent-encoded as one path segment. */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(value);
  });
}

export function callEndpoint<A extends ApiAlias>(http: HttpClient, alias: A, call: EndpointCall = {}, extra: Extra = {}): Promise<Response<A>> {
  const endpoint = ENDPOINTS[alias];
  const options: CallOptions = { method: endpoint.method, path: fillPath(endpoint.path, call.path), operation: alias, ...extra };
  if (call.query !== undefined) options.query = call.query as QueryParams;
  if (call.body !== undefined) options.body = call.body;
  return http.json<Response<A>>(options);
}
