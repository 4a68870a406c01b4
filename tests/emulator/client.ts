// A minimal client for the emulator tests: plain fetch over real HTTP, bodies parsed with the
// emulator's bigint-preserving JSON so int64 ids can be checked exactly.
import { parseJson, toJson } from '../../src/emulator/index.ts';
import type { FakeWorkspace } from '../../src/emulator/index.ts';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // Tests index into responses freely; the shape is what each test asserts.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface CallOptions {
  query?: Record<string, string | number | boolean | bigint>;
  body?: unknown;
  raw?: Buffer | string;
  token?: string | null;
  headers?: Record<string, string>;
}

export async function call(ws: FakeWorkspace, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
  const url = new URL(path, ws.url);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? ws.token : options.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  if (options.body !== undefined) {
    body = toJson(options.body);
    headers['content-type'] = 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] ??= 'application/octet-stream';
  }
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text !== '' && res.headers.get('content-type')?.includes('json')) parsed = parseJson(text);
  return { status: res.status, headers: res.headers, text, body: parsed };
}

export const b64 = (text: string) => Buffer.from(text).toString('base64');
