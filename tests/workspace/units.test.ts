import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/index.ts';
import { isLoopbackHostname, normalizeHost } from '../../src/workspace/host.ts';
import { int64ToString, parseJson, stringifyJson, toInt64 } from '../../src/workspace/json.ts';
import { collect, paginate, paginateByOffset } from '../../src/workspace/pagination.ts';
import { redactBody } from '../../src/workspace/redact.ts';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableResponse, parseRetryAfter } from '../../src/workspace/retry.ts';

describe('lossless JSON', () => {
  it('parses unsafe integers as bigint and keeps safe ones and decimals as numbers', () => {
    const parsed = parseJson('{"big":9007199254740993,"max":9007199254740991,"neg":-9007199254740993,"d":1.5,"e":1e3}') as Record<string, unknown>;
    expect(parsed).toEqual({ big: 9007199254740993n, max: 9007199254740991, neg: -9007199254740993n, d: 1.5, e: 1000 });
  });

  it('stringifies bigints as bare JSON numbers, so text round-trips', () => {
    const text = '{"job_id":1152921504606846977,"tasks":[{"run_id":18446744073709551615}],"n":3}';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });

  it('converts id text for requests and back', () => {
    expect(toInt64('9007199254740993')).toBe(9007199254740993n);
    expect(toInt64('42')).toBe(42);
    expect(toInt64(7n)).toBe(7n);
    expect(int64ToString(9007199254740993n)).toBe('9007199254740993');
    expect(() => toInt64('12a')).toThrow(UserError);
    expect(() => toInt64(2 ** 60)).toThrow(UserError);
  });
});

describe('host', () => {
  it('normalises like the SDKs', () => {
    expect(normalizeHost('adb-1.2.azuredatabricks.net/')).toBe('https://adb-1.2.azuredatabricks.net');
    expect(normalizeHost('https://h.example:443/some/path?x')).toBe('https://h.example');
    expect(normalizeHost('https://h.example:8443')).toBe('https://h.example:8443');
    expect(() => normalizeHost('  ')).toThrow(UserError);
  });

  it('knows loopback addresses', () => {
    for (const h of ['localhost', '127.0.0.1', '127.9.8.7', '[::1]', 'api.localhost']) expect(isLoopbackHostname(h)).toBe(true);
    for (const h of ['128.0.0.1', 'example.com', '10.0.0.1', 'localhost.example.com', '[::2]']) expect(isLoopbackHostname(h)).toBe(false);
  });
});

describe('retry rules', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2024-05-01T10:00:00Z');
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter('Wed, 01 May 2024 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 May 2024 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('caps the full-jitter backoff at 10 s', () => {
    const top = () => 0.999;
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, top)).toBe(999);
    expect(backoffDelay(4, DEFAULT_RETRY_POLICY, top)).toBe(7992);
    expect(backoffDelay(10, DEFAULT_RETRY_POLICY, top)).toBe(9990);
    expect(backoffDelay(3, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
  });

  it('retries an idempotent call on 429, 500, 502, 503, 504 and the SDKs transient messages, and nothing else', () => {
    const e = (status: number, error_code: string, message = '') => ({ status, error_code, message });
    for (const [status, code] of [[429, 'TOO_MANY_REQUESTS'], [500, 'INTERNAL_ERROR'], [502, 'BAD_GATEWAY'], [503, 'X'], [504, 'DEADLINE_EXCEEDED']] as const) {
      expect(isRetryableResponse(e(status, code), true), `${status}`).toBe(true);
    }
    expect(isRetryableResponse(e(400, 'INVALID_STATE', 'exceeding rate limit: 1000 job creations per 3600 seconds'), true)).toBe(true);
    expect(isRetryableResponse(e(400, 'INVALID_PARAMETER_VALUE', 'ClusterNotReadyException: wait'), true)).toBe(true);
    expect(isRetryableResponse(e(409, 'RESOURCE_CONFLICT'), true)).toBe(false);
    expect(isRetryableResponse(e(400, 'INVALID_PARAMETER_VALUE', 'bad'), true)).toBe(false);
    expect(isRetryableResponse(e(404, 'RESOURCE_DOES_NOT_EXIST'), true)).toBe(false);
  });

  it('retries a call that is not idempotent only when the server provably refused it', () => {
    const e = (status: number, error_code: string, message = '') => ({ status, error_code, message });
    expect(isRetryableResponse(e(429, 'TOO_MANY_REQUESTS'), false)).toBe(true);
    expect(isRetryableResponse(e(400, 'INVALID_STATE', 'exceeding rate limit: 1000 job creations per 3600 seconds'), false)).toBe(true);
    expect(isRetryableResponse(e(400, 'INVALID_PARAMETER_VALUE', 'ClusterNotReadyException: wait'), false)).toBe(true);
    // A 5xx may come after the server applied the call (a proxy, a lost answer): the caller must look first.
    for (const status of [500, 502, 503, 504]) expect(isRetryableResponse(e(status, 'X'), false), `${status}`).toBe(false);
    expect(isRetryableResponse(e(500, 'INTERNAL_ERROR', 'Unexpected error'), false)).toBe(false);
  });
});

describe('pagination', () => {
  it('follows next_page_token until it is absent, and guards against a repeating token', async () => {
    const pages: Record<string, { items: number[]; next_page_token?: string }> = {
      start: { items: [1, 2], next_page_token: 'a' },
      a: { items: [3], next_page_token: 'b' },
      b: { items: [], next_page_token: 'a' },
    };
    const asked: (string | undefined)[] = [];
    const items = await collect(
      paginate(
        async (token) => {
          asked.push(token);
          return pages[token ?? 'start'] ?? { items: [] };
        },
        (p) => p.items,
      ),
    );
    expect(items).toEqual([1, 2, 3]);
    expect(asked).toEqual([undefined, 'a', 'b']);
  });

  it('stops when the server says has_more: false even if a token is present', async () => {
    const items = await collect(paginate(async () => ({ items: [1], next_page_token: 'x', has_more: false }), (p) => p.items));
    expect(items).toEqual([1]);
  });

  it('pages by offset while has_more is true', async () => {
    const data = [1, 2, 3, 4, 5];
    const offsets: number[] = [];
    const items = await collect(
      paginateByOffset(
        async (offset) => {
          offsets.push(offset);
          return { items: data.slice(offset, offset + 2), has_more: offset + 2 < data.length };
        },
        (p) => p.items,
      ),
    );
    expect(items).toEqual(data);
    expect(offsets).toEqual([0, 2, 4]);
  });
});

describe('redactBody', () => {
  it('masks sensitive fields at any depth and leaves the input untouched', () => {
    const body = { scope: 's', string_value: 'v', nested: [{ client_secret: 'c', keep: 1 }] };
    expect(redactBody(body, ['keep'])).toEqual({ scope: 's', string_value: '***', nested: [{ client_secret: '***', keep: '***' }] });
    expect(body.string_value).toBe('v');
  });
});
