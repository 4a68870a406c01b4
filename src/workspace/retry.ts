// When to retry a Databricks call, and how long to wait. What a call is decides (issue 11): an idempotent call
// (a read, an import with overwrite, mkdirs, a delete, publish, an update or reset with the full settings) is
// repeated on 429, 500, 502, 503 and 504, the SDKs' transient messages, and connection failures, because
// repeating it cannot do harm. A call that is not idempotent (a create) is repeated only when the answer proves
// the server did not apply it (429 and the rate-limit codes, refused connections); after any other failure its
// outcome is unknown, and the caller looks before trying again (deploy/adapters/create-once.ts).
import type { ParsedApiError } from './errors.ts';

export interface RetryPolicy {
  /** Total time budget for one call including all retries (the SDKs' retry_timeout_seconds: 300 s). */
  timeoutMs: number;
  /** First backoff ceiling; doubles per attempt ("exponential backoff with full jitter"). */
  baseDelayMs: number;
  /** Largest backoff ceiling, as the SDKs cap at 10 s. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { timeoutMs: 300_000, baseDelayMs: 1_000, maxDelayMs: 10_000 };

/** Statuses that mean "try again later" for a call that may be repeated. */
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Answers that prove the request was refused before it did anything: safe to repeat any call. */
const REFUSED_CODES = new Set(['TOO_MANY_REQUESTS', 'REQUEST_LIMIT_EXCEEDED', 'RESOURCE_EXHAUSTED']);
const TRANSIENT_CODES = new Set([...REFUSED_CODES, 'TEMPORARILY_UNAVAILABLE', 'INTERNAL_ERROR', 'BAD_GATEWAY', 'DEADLINE_EXCEEDED']);

// Messages both SDKs treat as transient whatever the status (api-notes §5). The first group says the request
// was turned away before it ran; the second says it may have run.
const REFUSED_MESSAGES: RegExp[] = [
  /UnknownWorkerEnvironmentException/,
  /does not have any associated worker environments/,
  /There is no worker environment with id/,
  /Unknown worker environment/,
  /ClusterNotReadyException/,
  /worker env .* not found/,
  /Please try again later or try a faster operation\./,
  /RPC token bucket limit has been exceeded/,
  /REQUEST_LIMIT_EXCEEDED/,
];
const MAYBE_APPLIED_MESSAGES: RegExp[] = [/Unexpected error/, /Timed out after /, /deadline exceeded/];

/**
 * The server refused the request without applying it: safe to repeat even a create. Includes the job-creation
 * burst limit, which arrives as 400 INVALID_STATE "exceeding rate limit" (api-notes §9).
 */
export function isRefusal(error: ParsedApiError): boolean {
  if (error.status === 429 || REFUSED_CODES.has(error.error_code)) return true;
  if (error.error_code === 'INVALID_STATE' && /rate limit/i.test(error.message)) return true;
  return REFUSED_MESSAGES.some((re) => re.test(error.message));
}

/** Transient for a call that may be repeated: refusals, 5xx gateways and overloads, timeouts. */
export function isTransient(error: ParsedApiError): boolean {
  if (isRefusal(error)) return true;
  if (TRANSIENT_STATUSES.has(error.status) || TRANSIENT_CODES.has(error.error_code)) return true;
  return MAYBE_APPLIED_MESSAGES.some((re) => re.test(error.message));
}

/** Should this error response be retried, for a call that is (or is not) idempotent? */
export function isRetryableResponse(error: ParsedApiError, idempotent: boolean): boolean {
  return idempotent ? isTransient(error) : isRefusal(error);
}

/**
 * How a network failure relates to the request:
 * - `not-sent`: the connection never opened, so repeating is always safe;
 * - `maybe-sent`: the request may have reached the server (reset, timeout), so only idempotent calls repeat;
 * - `fatal`: retrying will not help (bad certificate, unknown host).
 */
export type NetworkFailure = 'not-sent' | 'maybe-sent' | 'fatal';

const NOT_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const MAYBE_SENT = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'ESOCKETTIMEDOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
]);

export function classifyNetworkFailure(code: string): NetworkFailure {
  if (NOT_SENT.has(code)) return 'not-sent';
  if (MAYBE_SENT.has(code)) return 'maybe-sent';
  return 'fatal';
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or invalid. */
export function parseRetryAfter(header: unknown, nowMs: number): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Full-jitter backoff for the n-th retry (1-based): uniform in [0, min(max, base * 2^(n-1))). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
