// Exit codes, decided in one place. Documented in the README.
import { DiagnosticsError, ExpectationFailedError, RemoteApiError, RunFailedError, UserError } from '../errors/index.ts';

export const EXIT = {
  ok: 0,
  /** A run, task or pipeline update failed (including a violated `fail` expectation). */
  failed: 1,
  /** Bad usage or configuration: unknown option, invalid bundle, missing credentials. */
  usage: 2,
  cancelled: 3,
  timedOut: 4,
  /** The workspace API refused a request. */
  remote: 5,
  /** A bug in dbx-ts. */
  internal: 70,
  /** The reader of our output went away (`dbx-ts ... | head`): 128 + SIGPIPE, as other command-line tools end. */
  brokenPipe: 141,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof RunFailedError) {
    return error.outcome === 'cancelled' ? EXIT.cancelled : error.outcome === 'timedout' ? EXIT.timedOut : EXIT.failed;
  }
  if (error instanceof ExpectationFailedError) return EXIT.failed;
  if (error instanceof UserError || error instanceof DiagnosticsError) return EXIT.usage;
  if (error instanceof RemoteApiError) return EXIT.remote;
  return EXIT.internal;
}
