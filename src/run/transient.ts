// Which failures of a poll are worth riding out: the workspace was busy or unreachable for a moment. The HTTP
// client already retried 429 and 503 within its budget; what reaches the watcher has outlived that, or is a
// 5xx / network error the client does not retry. Anything else (no such run, no permission) ends the watch.
import { RemoteApiError } from '../errors/index.ts';

export function isTransient(error: unknown): boolean {
  if (!(error instanceof RemoteApiError)) return false;
  const status = error.details.status;
  // No status: the connection failed (reset, refused, timed out).
  if (status === undefined) return true;
  return status === 429 || status >= 500;
}
