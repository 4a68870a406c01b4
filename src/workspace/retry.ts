// When to retry a Databricks call, and how long to wait. Follows api-notes §5: 429 and 503 (and the error
// codes that mean the same), the SDKs' transient messages, and network failures; everything else fails fast.
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

const RETRYABLE_STATUSES = new Set([429, 503]);
const RETRYABLE_CODES = new Set(['TOO_MANY_REQUESTS', 'REQUEST_LIMIT_EXCEEDED', 'RESOURCE_EXHAUSTED', 'TEMPORARILY_UNAVAILABLE']);

// Messages both SDKs treat as transient whatever the status (api-notes §5).
const TRANSIENT_MESSAGES: RegExp[] = [
  /UnknownWorkerEnvironmentException/,
  /does not have any associated worker environments/,
  /There is no worker environment with id/,
  /Unknown worker environment/,
  /ClusterNotReadyException/,
  /worker env .* not found/,
  /Unexpected error/,
  /Please try again later or try a faster operation\./,
  /RPC token bucket limit has been exceeded/,
  /Timed out after /,
  /deadline exceeded/,
  /REQUEST_LIMIT_EXCEEDED/,
];

/**
 * An error response worth retrying. The server answered, so it did not apply the request: safe to repeat even
 * for calls that are not idempotent. Includes the job-creation burst limit, which arrives as 400 INVALID_STATE
 * "exceeding rate limit" (api-notes §9).
 */
export function isRetryableResponse(error: ParsedApiError): boolean {
  if (RETRYABLE_STATUSES.has(error.status) || RETRYABLE_CODES.has(error.error_code)) return true;
  if (error.error_code === 'INVALID_STATE' && /rate limit/i.test(error.message)) return true;
  return TRANSIENT_MESSAGES.some((re) => re.test(error.message));
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
