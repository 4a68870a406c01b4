// Which OpenAI-compatible endpoint to call, with the same transport rule as the workspace client:
// https only, except loopback addresses (a local compatible server or a test double).
import { UserError } from '../errors/index.ts';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Validates a base URL and returns it without a trailing slash. Never echoes credentials embedded in the URL. */
export function checkLlmBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError('OPENAI_BASE_URL is not a valid URL', 'Use e.g. https://api.openai.com/v1.');
  }
  if (url.username || url.password) {
    throw new UserError('OPENAI_BASE_URL must not contain credentials', 'Pass the API key as OPENAI_API_KEY or a secret instead.');
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UserError(
      `OPENAI_BASE_URL must use https (got ${url.protocol}//${url.host})`,
      'Plain http is only allowed for loopback addresses such as http://127.0.0.1:8000/v1.',
    );
  }
  return url.toString().replace(/\/+$/, '');
}
