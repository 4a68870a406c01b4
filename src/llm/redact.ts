// Keeps API keys out of anything we raise or emit. Providers sometimes echo part of a rejected key
// ("Incorrect API key provided: sk-abc***xyz"), so key-shaped tokens are scrubbed as well as the exact key.

const KEY_SHAPED = /\b(sk|rk|pk)-[A-Za-z0-9_*.-]{3,}/g;
export const REDACTED = '[REDACTED]';

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  return out.replace(KEY_SHAPED, REDACTED);
}
