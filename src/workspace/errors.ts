// Turns a Databricks error response into a RemoteApiError, following the formats the SDKs parse
// (standard JSON, legacy `{error}`, SCIM, `CODE: message` text, HTML, empty body).
import { RemoteApiError } from '../errors/index.ts';
import { parseJson } from './json.ts';

/** Request identity carried by every error; the path never includes the query string. */
export interface RequestIdentity {
  method: string;
  path: string;
}

/** What an error response says, before it becomes an exception. */
export interface ParsedApiError {
  status: number;
  error_code: string;
  message: string;
  request_id?: string;
  /** From a google.rpc.RetryInfo detail (`retry_delay: "1.5s"`). */
  retry_delay_ms?: number;
}

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'RESOURCE_CONFLICT',
  429: 'TOO_MANY_REQUESTS',
  499: 'CANCELLED',
  500: 'INTERNAL_ERROR',
  501: 'NOT_IMPLEMENTED',
  502: 'BAD_GATEWAY',
  503: 'TEMPORARILY_UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

function statusCode(status: number): string {
  return STATUS_CODES[status] ?? `HTTP_${status}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function parseDurationMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
  return m?.[1] === undefined ? undefined : Math.round(Number(m[1]) * 1000);
}

function fromJson(status: number, body: Record<string, unknown>, reason: string): ParsedApiError {
  const parsed: ParsedApiError = { status, error_code: statusCode(status), message: reason };
  if (body.error_code !== undefined && body.error_code !== null) parsed.error_code = String(body.error_code);
  if (typeof body.message === 'string') parsed.message = body.message;
  else if (typeof body.error === 'string') parsed.message = body.error; // API 1.2
  else if (typeof body.detail === 'string') {
    // SCIM: {detail, status, scimType}
    parsed.message = body.detail;
    if (body.status !== undefined) parsed.error_code = `SCIM_${String(body.status)}`;
  }
  if (Array.isArray(body.details)) {
    for (const detail of body.details) {
      if (!isRecord(detail)) continue;
      if (typeof detail.request_id === 'string') parsed.request_id = detail.request_id;
      const delay = parseDurationMs(detail.retry_delay);
      if (delay !== undefined) parsed.retry_delay_ms = delay;
    }
  }
  return parsed;
}

function fromText(status: number, text: string, reason: string): ParsedApiError {
  const trimmed = text.trim();
  const coded = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(trimmed);
  if (coded?.[1] !== undefined && coded[2] !== undefined) {
    return { status, error_code: coded[1], message: coded[2].trim() };
  }
  const html = /<pre>([\s\S]*?)<\/pre>/i.exec(trimmed) ?? /<title>([\s\S]*?)<\/title>/i.exec(trimmed);
  if (html?.[1] !== undefined) return { status, error_code: statusCode(status), message: html[1].trim() };
  // An unknown text body may echo anything; keep a short prefix only.
  const message = trimmed === '' ? reason : trimmed.slice(0, 500);
  return { status, error_code: statusCode(status), message };
}

/** Reads an error response body (already parsed JSON, or raw text). */
export function parseErrorBody(status: number, body: unknown, reason = ''): ParsedApiError {
  const fallbackReason = reason || statusCode(status);
  if (isRecord(body)) return fromJson(status, body, fallbackReason);
  if (typeof body === 'string') return fromText(status, body, fallbackReason);
  return { status, error_code: statusCode(status), message: fallbackReason };
}

const PRIVATE_LINK_MARKER = 'private-link-validation-error';

/** A non-2xx response as the HTTP client received it (headers lower-cased). */
export interface ErrorResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  data: Buffer;
}

/**
 * Reads a failed response: a redirect (the API never redirects, except Private Link to a login page) or an
 * error body in any of the formats above, with the SDKs' overrides applied.
 */
export function parseErrorResponse(response: ErrorResponse, request: RequestIdentity): ParsedApiError {
  if (response.status >= 300 && response.status < 400) {
    const privateLink = (response.headers['location'] ?? '').includes(PRIVATE_LINK_MARKER);
    return {
      status: response.status,
      error_code: privateLink ? 'PRIVATE_LINK_VALIDATION_ERROR' : 'UNEXPECTED_REDIRECT',
      message: privateLink
        ? 'the workspace redirected to a login page: it is behind Private Link and this network is not allowed'
        : 'the workspace answered with a redirect; check that the host is the workspace URL',
    };
  }
  const text = response.data.toString('utf8');
  let body: unknown = text;
  if (/json/i.test(response.headers['content-type'] ?? '') || /^\s*[{[]/.test(text)) {
    try {
      body = parseJson(text);
    } catch {
      body = text;
    }
  }
  return applyOverrides(parseErrorBody(response.status, body, response.statusText), request);
}

// Both SDKs rewrite a missing job or run (HTTP 400 INVALID_PARAMETER_VALUE) to RESOURCE_DOES_NOT_EXIST.
const MISSING_OBJECT_OVERRIDES: { path: RegExp; message: RegExp }[] = [
  { path: /^\/api\/2\.\d\/jobs\/get$/, message: /Job .* does not exist/ },
  { path: /^\/api\/2\.\d\/jobs\/runs\/get(-output)?$/, message: /Run .* does not exist|Run: .* in job: .* doesn't exist/ },
];

/** Applies the SDKs' error-code overrides for a given request. */
export function applyOverrides(error: ParsedApiError, request: RequestIdentity): ParsedApiError {
  if (error.status !== 400 || error.error_code !== 'INVALID_PARAMETER_VALUE') return error;
  const hit = MISSING_OBJECT_OVERRIDES.some((o) => o.path.test(request.path) && o.message.test(error.message));
  return hit ? { ...error, error_code: 'RESOURCE_DOES_NOT_EXIST' } : error;
}

/** The exception for a failed call: method, path, status, error_code and request id; never headers or bodies. */
export function toRemoteApiError(error: ParsedApiError, request: RequestIdentity, suffix = ''): RemoteApiError {
  const details: RemoteApiError['details'] = {
    status: error.status,
    error_code: error.error_code,
    method: request.method,
    path: request.path,
  };
  if (error.request_id !== undefined) details.request_id = error.request_id;
  return new RemoteApiError(
    `${request.method} ${request.path} failed with ${error.error_code} (HTTP ${error.status}): ${error.message}${suffix}`,
    details,
  );
}

/**
 * The request was sent and the connection died before an answer came back, on a call that is not safe to
 * repeat (e.g. jobs/create). The server may or may not have applied it: look (list/get by name) before
 * retrying. `retryWhenAbsent` in side-effects.ts packages that pattern.
 */
export class RequestOutcomeUnknownError extends RemoteApiError {
  readonly outcomeUnknown = true;
}

/** A network failure (reset, refused, timeout) that outlived the retry budget. `error_code` is the socket code. */
export function networkError(code: string, request: RequestIdentity, suffix = ''): RemoteApiError {
  return new RemoteApiError(`${request.method} ${request.path} failed: network error ${code}${suffix}`, {
    error_code: code,
    method: request.method,
    path: request.path,
  });
}

/** True when the error says the object does not exist (404, RESOURCE_DOES_NOT_EXIST, or a SDK override). */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof RemoteApiError)) return false;
  const code = error.details.error_code;
  return error.details.status === 404 || code === 'RESOURCE_DOES_NOT_EXIST' || code === 'NOT_FOUND';
}

/** True when `error` is a RemoteApiError with one of the given Databricks error codes. */
export function hasErrorCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof RemoteApiError && codes.includes(error.details.error_code ?? '');
}
