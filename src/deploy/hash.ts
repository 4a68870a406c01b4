// A stable fingerprint of settings: canonical JSON (sorted keys, bigints as decimal text) through sha256.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What the state records for one resource: its settings and payload together. */
export function settingsHash(settings: unknown, payload?: string | Uint8Array): string {
  return sha256(canonicalJson({ settings, payload_sha256: payload === undefined ? undefined : sha256(payload) }));
}
