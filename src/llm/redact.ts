// Keeps API keys out of anything we raise or emit. Providers sometimes echo part of a rejected key
// ("Incorrect API key provided: sk-abc***xyz"), so key-shaped tokens are scrubbed as well as the exact key.

import { redact, registerSecret } from '../redaction/index.ts';

const KEY_SHAPED = /\b(sk|rk|pk)-[A-Za-z0-9_*.-]{3,}/g;
export const REDACTED = '[REDACTED]';

export function redactSecrets(text: string, values: readonly string[]): string {
  registerSecret(...values);
  return redact(text).replace(KEY_SHAPED, REDACTED);
}
