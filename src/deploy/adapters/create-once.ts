// Creating without duplicates. jobs/create, pipelines/create, scopes/create and lakeview/create are not
// idempotent, and an answer can be lost after the server applied the call: the connection resets, or a
// proxy answers 503. So creates go through a client that never retries by itself, and this loop decides:
// a refusal that proves nothing happened (429, connection refused) is retried after a pause; an ambiguous
// failure (reset, 5xx) is followed by a look (list by name or tag) before any new attempt.
import { RemoteApiError } from '../../errors/index.ts';
import { RequestOutcomeUnknownError } from '../../workspace/index.ts';

export interface CreateOnceOptions {
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Pause before the n-th retry (1-based). */
  delayMs?: (retry: number) => number;
}

const NOT_APPLIED_CODES = new Set(['REQUEST_LIMIT_EXCEEDED', 'TOO_MANY_REQUESTS', 'RESOURCE_EXHAUSTED', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

type Outcome = 'not-applied' | 'unknown' | 'exists' | 'failed';

const EXISTS_CODES = new Set(['RESOURCE_ALREADY_EXISTS', 'ALREADY_EXISTS', 'RESOURCE_CONFLICT', 'CATALOG_ALREADY_EXISTS', 'SCHEMA_ALREADY_EXISTS', 'VOLUME_ALREADY_EXISTS']);

export function classifyCreateFailure(error: unknown): Outcome {
  if (error instanceof RequestOutcomeUnknownError) return 'unknown';
  if (!(error instanceof RemoteApiError)) return 'failed';
  const { status, error_code: code } = error.details;
  // Our own earlier attempt may have landed (e.g. retried by a client that does retry creates).
  if (EXISTS_CODES.has(code ?? '')) return 'exists';
  if (status === 429 || NOT_APPLIED_CODES.has(code ?? '')) return 'not-applied';
  if (status !== undefined && status >= 500) return 'unknown';
  // A network failure that outlived the client's (empty) retry budget: no status, a socket error code.
  if (status === undefined && code !== undefined && /^E[A-Z]+$/.test(code)) return 'unknown';
  return 'failed';
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const defaultDelay = (retry: number) => Math.min(5_000, 200 * 2 ** (retry - 1)) * (0.5 + Math.random() / 2);

/** Calls `create` until it succeeds, looking with `lookup` after every ambiguous failure. */
export async function createOnce<T>(create: () => Promise<T>, lookup: () => Promise<T | undefined>, options: CreateOnceOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 8;
  const sleep = options.sleep ?? defaultSleep;
  const delay = options.delayMs ?? defaultDelay;
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      const outcome = classifyCreateFailure(error);
      if (outcome === 'failed' || attempt >= attempts) throw error;
      if (outcome === 'exists') {
        const existing = await lookup();
        if (existing !== undefined) return existing;
        throw error;
      }
      if (outcome === 'unknown') {
        const existing = await lookup();
        if (existing !== undefined) return existing;
      }
      await sleep(delay(attempt));
    }
  }
}
