// The one place that talks HTTP to a workspace: auth headers, lossless JSON, retries within a time budget,
// error mapping and redaction. Axios errors never escape (their config carries the Authorization header):
// every failure becomes a RemoteApiError (or UserError) built from method, path, status and error_code only.
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { RemoteApiError, UserError } from '../errors/index.ts';
import { registerSecret } from '../redaction/index.ts';
import type { EventSink } from '../events/types.ts';
import { silentSink } from '../events/types.ts';
import type { CredentialsProvider } from './auth/types.ts';
import {
  networkError,
  parseErrorResponse,
  RequestOutcomeUnknownError,
  toRemoteApiError,
  type ParsedApiError,
  type RequestIdentity,
} from './errors.ts';
import { secureHost } from './host.ts';

/** How long to keep trying a host that has refused every connection so far. */
const UNREACHABLE_HOST_TIMEOUT_MS = 20_000;
import { parseJson, stringifyJson } from './json.ts';
import { encodeQuery, type QueryParams } from './query.ts';
import { collectSecretValues, redactBody, scrubSecrets } from './redact.ts';
import {
  backoffDelay,
  classifyNetworkFailure,
  DEFAULT_RETRY_POLICY,
  isRetryableResponse,
  isTransient,
  parseRetryAfter,
  type RetryPolicy,
} from './retry.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type { QueryParams } from './query.ts';

/** What the request hook sees: enough to log or assert on, with secret body fields masked. */
export interface RequestRecord {
  /** Endpoint alias (e.g. `jobs/create`) when the service passed one. */
  operation?: string;
  method: HttpMethod;
  path: string;
  query?: Record<string, string[]>;
  /** JSON body with sensitive fields replaced by `***`; for raw uploads, a byte count. */
  body?: unknown;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
}

export type RequestHook = (request: RequestRecord) => void;

export interface HttpClientOptions {
  host: string;
  credentials: CredentialsProvider;
  /** Retry budget and backoff; the total time defaults to 300 s as in the SDKs. */
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout (the SDKs' http_timeout_seconds: 60 s). */
  requestTimeoutMs?: number;
  events?: EventSink;
  onRequest?: RequestHook;
  /** Injected for tests: clock, sleep and randomness used by the retry loop. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  userAgent?: string;
}

export interface CallOptions {
  method: HttpMethod;
  path: string;
  query?: QueryParams;
  /** JSON body; serialised losslessly (bigint ids go out as exact numbers). */
  body?: unknown;
  /** Raw bytes instead of JSON (Files API uploads). */
  rawBody?: { data: Uint8Array | string; contentType: string };
  /**
   * May this call be repeated without harm (a read, an overwrite, a delete, an update with full settings)?
   * Defaults to false for POST and PATCH and true otherwise. Idempotent calls are retried on 429/5xx and
   * connection failures; the others only when the server provably refused them (retry.ts), and otherwise throw
   * RequestOutcomeUnknownError so the caller can look before retrying (side-effects.ts, create-once.ts).
   */
  idempotent?: boolean;
  /** Extra body fields to mask in hooks and scrub from errors (beyond redact.ts' SENSITIVE_FIELDS). */
  sensitiveFields?: string[];
  /** Endpoint alias for hooks and validation, e.g. `jobs/create`. */
  operation?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  data: Buffer;
}

type Attempt =
  | { ok: true; response: AxiosResponse<Buffer> }
  | { ok: false; kind: 'response'; error: ParsedApiError; retryAfterMs?: number }
  | { ok: false; kind: 'network'; code: string };

export class HttpClient {
  readonly host: string;
  private readonly axios: AxiosInstance;
  private readonly policy: RetryPolicy;
  private readonly events: EventSink;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: HttpClientOptions) {
    this.host = secureHost(options.host);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.events = options.events ?? silentSink;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.axios = axios.create({
      baseURL: this.host,
      timeout: options.requestTimeoutMs ?? 60_000,
      responseType: 'arraybuffer',
      // We decode, parse and judge responses ourselves.
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      // A redirect from the API means a login page (private link) or a misconfigured host; never follow it
      // with our Authorization header.
      maxRedirects: 0,
      transitional: { clarifyTimeoutError: true },
    });
  }

  /** A JSON call: returns the parsed body (`{}` for an empty one). */
  async json<T>(call: CallOptions): Promise<T> {
    const response = await this.send(call);
    const contentType = response.headers['content-type'] ?? '';
    const text = response.data.toString('utf8');
    if (text.trim() === '') return {} as T;
    if (/text\/html/i.test(contentType)) throw this.unexpectedHtml(call, response);
    try {
      return parseJson(text) as T;
    } catch {
      throw new RemoteApiError(`${call.method} ${call.path} returned a body that is not JSON`, {
        status: response.status,
        error_code: 'INVALID_RESPONSE',
        method: call.method,
        path: call.path,
      });
    }
  }

  /** A call whose body is bytes (Files API download) or absent (HEAD); headers are lower-cased. */
  async raw(call: CallOptions): Promise<RawResponse> {
    return this.send(call);
  }

  private async send(call: CallOptions): Promise<RawResponse> {
    const request: RequestIdentity = { method: call.method, path: call.path };
    const idempotent = call.idempotent ?? !(call.method === 'POST' || call.method === 'PATCH');
    const secrets = collectSecretValues(call.body, call.sensitiveFields);
    const startedAt = this.now();
    const deadline = startedAt + this.policy.timeoutMs;
    // A host that has never accepted a connection is most likely wrong or down: give up on it much sooner.
    const unreachableDeadline = startedAt + Math.min(this.policy.timeoutMs, UNREACHABLE_HOST_TIMEOUT_MS);
    let everConnected = false;
    let reauthenticated = false;

    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(call, attempt);
      // Tokens are fetched during the attempt: from now on every edge of dbx-ts scrubs them, and the secret
      // values this call carried (secrets/put), wherever they turn up.
      registerSecret(...secrets, ...this.options.credentials.knownSecrets());
      if (result.ok) return toRawResponse(result.response);

      if (result.kind === 'response' && result.error.status === 401 && !reauthenticated && this.options.credentials.invalidate) {
        // A cached token may have been revoked or expired early: fetch a fresh one once.
        reauthenticated = true;
        this.options.credentials.invalidate();
        continue;
      }

      if (result.kind === 'response' || classifyNetworkFailure(result.code) !== 'not-sent') everConnected = true;
      const scrub = (text: string) => scrubSecrets(text, [...secrets, ...this.options.credentials.knownSecrets()]);
      const fail = (suffix = '') => this.failure(result, request, scrub, suffix);

      let delay: number;
      if (result.kind === 'response') {
        if (!isRetryableResponse(result.error, idempotent)) {
          // A create answered 5xx may have been applied before the answer went wrong: say so, so the caller
          // looks before it tries again.
          if (!idempotent && isTransient(result.error)) throw this.outcomeUnknown(result.error, request, scrub);
          throw fail();
        }
        delay = result.retryAfterMs ?? backoffDelay(attempt, this.policy, this.random);
      } else {
        const failure = classifyNetworkFailure(result.code);
        if (failure === 'fatal') throw fail();
        if (failure === 'maybe-sent' && !idempotent) {
          throw new RequestOutcomeUnknownError(
            `${call.method} ${call.path}: the connection failed (${result.code}) after the request was sent; ` +
              'it may or may not have been applied, so it was not retried automatically',
            { error_code: result.code, method: call.method, path: call.path },
          );
        }
        delay = backoffDelay(attempt, this.policy, this.random);
      }

      if (this.now() + delay > (everConnected ? deadline : unreachableDeadline)) {
        const elapsed = ((this.now() - startedAt) / 1000).toFixed(1);
        throw fail(` (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'} in ${elapsed} s)`);
      }
      const why = result.kind === 'response' ? `${result.error.status} ${result.error.error_code}` : result.code;
      this.events({
        code: 'log',
        level: 'info',
        message: `${call.method} ${call.path} got ${why}; retrying in ${(delay / 1000).toFixed(1)} s`,
        data: { method: call.method, path: call.path, reason: why, attempt, delay_ms: delay },
      });
      await this.sleep(delay);
    }
  }

  private async attempt(call: CallOptions, attempt: number): Promise<Attempt> {
    const query = encodeQuery(call.query);
    this.options.onRequest?.(this.record(call, query, attempt));
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': this.options.userAgent ?? 'dbx-ts/0.1.0',
    };
    let data: Uint8Array | string | undefined;
    if (call.rawBody !== undefined) {
      data = call.rawBody.data;
      headers['Content-Type'] = call.rawBody.contentType;
    } else if (call.body !== undefined) {
      data = stringifyJson(call.body);
      headers['Content-Type'] = 'application/json';
    }
    // Fetched per attempt so a refreshed token is picked up on retries.
    Object.assign(headers, await this.options.credentials.headers());

    const started = this.now();
    let response: AxiosResponse<Buffer>;
    try {
      response = await this.axios.request<Buffer>({
        method: call.method,
        url: call.path + (query.size > 0 ? `?${query.toString()}` : ''),
        headers,
        data,
      });
    } catch (error) {
      // Keep only the socket code; the axios error itself holds our request headers.
      return { ok: false, kind: 'network', code: networkCode(error) };
    }
    this.events({
      code: 'log',
      level: 'debug',
      message: `${call.method} ${call.path} ${response.status} (${this.now() - started} ms)`,
      data: { method: call.method, path: call.path, status: response.status, attempt },
    });
    if (response.status >= 200 && response.status < 300) return { ok: true, response };
    return this.errorAttempt(call, response);
  }

  private errorAttempt(call: CallOptions, response: AxiosResponse<Buffer>): Attempt {
    const raw = toRawResponse(response);
    const parsed = parseErrorResponse({ ...raw, statusText: response.statusText }, { method: call.method, path: call.path });
    const retryAfterMs = parseRetryAfter(raw.headers['retry-after'], this.now()) ?? parsed.retry_delay_ms;
    return retryAfterMs === undefined
      ? { ok: false, kind: 'response', error: parsed }
      : { ok: false, kind: 'response', error: parsed, retryAfterMs };
  }

  private failure(
    result: Exclude<Attempt, { ok: true }>,
    request: RequestIdentity,
    scrub: (text: string) => string,
    suffix: string,
  ): Error {
    if (result.kind === 'response') {
      return toRemoteApiError({ ...result.error, message: scrub(result.error.message) }, request, suffix);
    }
    if (result.code === 'ENOTFOUND') {
      return new UserError(`Cannot resolve the workspace host ${this.host}`, 'Check DATABRICKS_HOST or the profile host.');
    }
    if (classifyNetworkFailure(result.code) === 'not-sent') {
      return new UserError(
        `Cannot connect to the workspace at ${this.host} (${result.code}${suffix}).`,
        'Check DATABRICKS_HOST or the profile host, and that the workspace is reachable from here.',
      );
    }
    return networkError(result.code, request, suffix);
  }

  private outcomeUnknown(error: ParsedApiError, request: RequestIdentity, scrub: (text: string) => string): RequestOutcomeUnknownError {
    const details: RemoteApiError['details'] = { status: error.status, error_code: error.error_code, method: request.method, path: request.path };
    if (error.request_id !== undefined) details.request_id = error.request_id;
    return new RequestOutcomeUnknownError(
      `${request.method} ${request.path} failed with ${error.error_code} (HTTP ${error.status}): ${scrub(error.message)}; ` +
        'it may or may not have been applied, so it was not retried automatically',
      details,
    );
  }

  private unexpectedHtml(call: CallOptions, response: RawResponse): RemoteApiError {
    return new RemoteApiError(`${call.method} ${call.path} returned an HTML page instead of JSON`, {
      status: response.status,
      error_code: 'UNEXPECTED_HTML',
      method: call.method,
      path: call.path,
    });
  }

  private record(call: CallOptions, query: URLSearchParams, attempt: number): RequestRecord {
    const record: RequestRecord = { method: call.method, path: call.path, attempt };
    if (call.operation !== undefined) record.operation = call.operation;
    if (query.size > 0) {
      const grouped: Record<string, string[]> = {};
      for (const [key, value] of query) (grouped[key] ??= []).push(value);
      record.query = grouped;
    }
    if (call.rawBody !== undefined) record.body = `<${byteLength(call.rawBody.data)} bytes>`;
    else if (call.body !== undefined) record.body = redactBody(call.body, call.sensitiveFields);
    return record;
  }
}

function byteLength(data: Uint8Array | string): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

function networkCode(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_BAD_RESPONSE' && code !== 'ERR_NETWORK') return code;
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (typeof cause?.code === 'string') return cause.code;
    if (typeof code === 'string') return code;
  }
  return 'UNKNOWN_NETWORK_ERROR';
}

function toRawResponse(response: AxiosResponse<Buffer>): RawResponse {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers)) {
    if (value !== undefined && value !== null) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  const data = Buffer.isBuffer(response.data) ? response.data : Buffer.from(response.data ?? '');
  return { status: response.status, headers, data };
}
