// The request log: what each client call looked like, for golden request-log tests. Credentials
// and secret values are redacted before anything is stored.
import { createHash } from 'node:crypto';

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Parsed JSON (bigint kept), form fields, or for raw bodies their size and digest. */
  body?: unknown;
  headers: { authorization?: string; 'content-type'?: string };
  /** The HTTP status answered, or `reset` when the connection was dropped. */
  status?: number | 'reset';
  /** The injected fault, if any. */
  fault?: string;
}

export const REDACTED = '[REDACTED]';

/** Body fields that carry secrets: secret values, OAuth client secrets, passwords, tokens. */
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'string_value',
  'bytes_value',
  'client_secret',
  'password',
  'token_value',
  'access_token',
  'refresh_token',
  'client_assertion',
]);

export function redactAuthorization(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const scheme = /^(\w+)\s/.exec(value)?.[1];
  return scheme ? `${scheme} ${REDACTED}` : REDACTED;
}

export function redactBody(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactBody);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELDS.has(k) ? REDACTED : redactBody(v);
    return out;
  }
  return value;
}

export function describeRawBody(raw: Buffer): { bytes: number; sha256: string } {
  return { bytes: raw.length, sha256: createHash('sha256').update(raw).digest('hex') };
}

export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key).map((v) => (SECRET_FIELDS.has(key) ? REDACTED : v));
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

/** The newest `limit` records, oldest first. */
export class RequestLog {
  readonly entries: RequestRecord[] = [];

  constructor(private readonly limit: number) {}

  push(record: RequestRecord): void {
    this.entries.push(record);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  clear(): void {
    this.entries.length = 0;
  }
}
