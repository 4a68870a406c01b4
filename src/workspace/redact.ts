// Keeps secrets out of hooks, events and errors. Two layers: known sensitive body fields are masked before a
// body is shown to anyone, and any text leaving the client is scrubbed of the literal secret values it knows.

import { REDACTED, secrets } from '../redaction/index.ts';

export { REDACTED };

/** Body fields whose values are secret wherever they appear (secrets/put, token endpoints, basic auth). */
export const SENSITIVE_FIELDS: ReadonlySet<string> = new Set([
  'string_value',
  'bytes_value',
  'token',
  'token_value',
  'access_token',
  'refresh_token',
  'client_secret',
  'password',
]);

/** A deep copy of `value` with every sensitive field (and any in `extraFields`) replaced by `***`. */
export function redactBody(value: unknown, extraFields: readonly string[] = []): unknown {
  const extra = new Set(extraFields);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Uint8Array)) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(v)) {
        out[key] = SENSITIVE_FIELDS.has(key) || extra.has(key) ? REDACTED : walk(child);
      }
      return out;
    }
    return v;
  };
  return walk(value);
}

/** Values of sensitive fields found anywhere in `value`, so text can be scrubbed of them. */
export function collectSecretValues(value: unknown, extraFields: readonly string[] = []): string[] {
  const found: string[] = [];
  const extra = new Set(extraFields);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        if ((SENSITIVE_FIELDS.has(key) || extra.has(key)) && typeof child === 'string') found.push(child);
        else walk(child);
      }
    }
  };
  walk(value);
  return found;
}

/**
 * Replaces every occurrence of each secret in `text` (and of every other secret the process holds) with `***`.
 * The values join the process's redaction registry, so every later edge scrubs them too.
 */
export function scrubSecrets(text: string, values: readonly string[]): string {
  secrets.register(...values);
  return secrets.redact(text);
}
